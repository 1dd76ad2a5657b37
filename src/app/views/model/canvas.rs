//! A drawing canvas: the student draws a digit with the mouse (white ink on black, like MNIST).

use crate::app::style::palette;
use egui::{Pos2, Sense, Stroke, Vec2};
use image::{GrayImage, Luma};

/// Side of the canvas in points (and in raster pixels).
pub const SIDE: f32 = 224.0;

/// Brush radius in raster pixels.
const BRUSH: f32 = 11.0;

/// Strokes drawn so far.
#[derive(Clone, Debug, Default)]
pub struct Canvas {
    strokes: Vec<Vec<Pos2>>,
}

impl Canvas {
    /// Whether nothing is drawn.
    pub fn is_empty(&self) -> bool {
        self.strokes.iter().all(|s| s.is_empty())
    }

    /// Remove everything.
    pub fn clear(&mut self) {
        self.strokes.clear();
    }

    /// Add a stroke in canvas coordinates (0…SIDE), e.g. from a test.
    pub fn add_stroke(&mut self, points: &[Pos2]) {
        self.strokes.push(points.to_vec());
    }

    /// Draw and edit; returns true when the drawing changed.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> bool {
        let (rect, response) = ui.allocate_exact_size(Vec2::splat(SIDE), Sense::drag());
        let response = response.on_hover_text("Draw a digit with the mouse");
        response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Drawing canvas"));
        let mut changed = false;
        if response.drag_started() {
            self.strokes.push(Vec::new());
        }
        if response.dragged()
            && let Some(p) = response.interact_pointer_pos()
        {
            let local = (p - rect.min).to_pos2();
            if let Some(s) = self.strokes.last_mut()
                && s.last() != Some(&local)
            {
                s.push(local);
                changed = true;
            }
        }
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, palette::PAD);
        for s in &self.strokes {
            let pts: Vec<Pos2> = s.iter().map(|p| rect.min + p.to_vec2()).collect();
            if pts.len() == 1 {
                painter.circle_filled(pts[0], BRUSH, palette::INK);
            } else {
                painter.add(egui::Shape::line(
                    pts,
                    Stroke::new(2.0 * BRUSH, palette::INK),
                ));
            }
        }
        painter.rect_stroke(
            rect,
            4.0,
            Stroke::new(1.0, ui.visuals().weak_text_color()),
            egui::StrokeKind::Inside,
        );
        changed
    }

    /// The drawing as a grayscale image (SIDE × SIDE), white ink on black.
    pub fn raster(&self) -> GrayImage {
        let n = SIDE as u32;
        let mut img = GrayImage::new(n, n);
        let mut stamp = |c: Pos2| {
            let (x0, x1) = (
                (c.x - BRUSH).max(0.0) as u32,
                ((c.x + BRUSH) as u32).min(n - 1),
            );
            let (y0, y1) = (
                (c.y - BRUSH).max(0.0) as u32,
                ((c.y + BRUSH) as u32).min(n - 1),
            );
            for y in y0..=y1 {
                for x in x0..=x1 {
                    if (Pos2::new(x as f32, y as f32) - c).length() <= BRUSH {
                        img.put_pixel(x, y, Luma([255]));
                    }
                }
            }
        };
        for s in &self.strokes {
            for w in s.windows(2) {
                let steps = ((w[1] - w[0]).length() / 2.0).ceil().max(1.0) as usize;
                for i in 0..=steps {
                    stamp(w[0].lerp(w[1], i as f32 / steps as f32));
                }
            }
            if s.len() == 1 {
                stamp(s[0]);
            }
        }
        img
    }
}
