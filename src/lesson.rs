//! The guided lesson, GUI-free: steps read from a TOML file a teacher can edit or translate
//! without recompiling (`assets/lesson.toml`).

use serde::Deserialize;

/// A whole lesson.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Lesson {
    /// Title shown above the steps.
    pub title: String,
    /// The steps, in order.
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

/// One step: a few sentences and the state "show me" puts the panels in.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Step {
    /// Short title.
    pub title: String,
    /// Two or three sentences.
    pub text: String,
    /// What "show me" does.
    #[serde(default)]
    pub show: Show,
}

/// Panel state a step sets; absent fields are left as they are.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Show {
    /// The view's key: `bits`, `downcast`, `model`, … (the app's list of views).
    pub tab: Option<String>,
    /// Bits panel: the value box.
    pub value: Option<String>,
    /// Bits panel: the format.
    pub format: Option<String>,
    /// Downcast lab: the target format.
    pub downcast_format: Option<String>,
    /// Downcast lab: cast (`false`) or quantize to int8 (`true`).
    pub quantize: Option<bool>,
    /// Downcast lab: the quantization type or block scheme (`int4`, `mxfp4`, `nf4` …);
    /// implies `quantize = true`.
    pub scheme: Option<String>,
    /// Downcast lab: the distribution by kind (`uniform`, `normal`, `student-t`, `outliers` …).
    pub distribution: Option<String>,
    /// Downcast lab: tensor size.
    pub size: Option<usize>,
    /// Downcast lab: seed.
    pub seed: Option<u64>,
    /// Model panel: `inspect` or `run`.
    pub model_view: Option<String>,
    /// Model panel, Run view: a bundled sample digit.
    pub sample: Option<usize>,
    /// The section scrolled into view: `bits`, `compare`, `limits`, `plots`, `dot`,
    /// `levels`, `predictions`, `layers`.
    pub focus: Option<String>,
}

/// The lesson that ships with the app.
pub const BUNDLED: &str = include_str!("../assets/lesson.toml");

impl Lesson {
    /// Parse a lesson file whose steps may name the views `tabs` (the app's list of views);
    /// the error says where it is wrong.
    pub fn parse(text: &str, tabs: &[&str]) -> Result<Lesson, String> {
        let lesson: Lesson =
            toml::from_str(text).map_err(|e| format!("lesson file: {}", e.message()))?;
        if lesson.steps.is_empty() {
            return Err("lesson file: no [[step]]".into());
        }
        if let Some(s) = lesson
            .steps
            .iter()
            .find(|s| s.show.tab.as_deref().is_some_and(|t| !tabs.contains(&t)))
        {
            return Err(format!(
                "lesson file: step '{}' names an unknown tab",
                s.title
            ));
        }
        Ok(lesson)
    }

    /// The bundled lesson, for the views `tabs`.
    pub fn bundled(tabs: &[&str]) -> Lesson {
        Lesson::parse(BUNDLED, tabs).unwrap_or_else(|e| Lesson {
            title: "Lesson".into(),
            steps: vec![Step {
                title: "The lesson file could not be read".into(),
                text: e,
                show: Show::default(),
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app's views when these tests were written.
    fn parse(text: &str) -> Result<Lesson, String> {
        Lesson::parse(text, &["bits", "downcast", "model"])
    }

    #[test]
    fn the_bundled_lesson_has_its_nine_steps() {
        let l = parse(BUNDLED).unwrap();
        assert_eq!(l.steps.len(), 9);
        assert!(l.steps.iter().all(|s| !s.text.trim().is_empty()));
    }

    #[test]
    fn bad_lesson_files_are_messages() {
        assert!(parse("title = 3").is_err());
        assert!(parse("title = \"x\"\nstep = []").is_err());
        let unknown =
            "title = \"x\"\n[[step]]\ntitle = \"a\"\ntext = \"b\"\n[step.show]\ntab = \"kitchen\"";
        assert!(parse(unknown).unwrap_err().contains("unknown tab"));
        let typo =
            "title = \"x\"\n[[step]]\ntitle = \"a\"\ntext = \"b\"\n[step.show]\nfromat = \"bf16\"";
        assert!(parse(typo).is_err());
    }
}
