//! Every view in the list of views, walked: its tab in the top bar puts it on screen, it
//! settles, its title and link read back, its state survives a round trip, and each view also
//! runs alone (its own `ui` in a harness, without the app around it). A view added to the list
//! is covered by these tests with no new line here. Also: a view acts in another only through
//! a command to the app ("Try in the lab" in the Model panel opens the lab).

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::view::{Command, show_alone};
use quantscope::app::views::Views;
use quantscope::app::{QuantscopeApp, Tab};

fn app_harness() -> Harness<'static, QuantscopeApp> {
    common::app_harness(1280.0, 800.0)
}

#[test]
fn every_view_opens_from_its_tab_and_settles() {
    let mut h = app_harness();
    h.run_steps(2);
    for &tab in Tab::ALL {
        let label = h.state().views.get(tab).label();
        // The top bar is drawn first: its tab is the first node with the label.
        h.query_all_by_label(label)
            .next()
            .expect("a tab for every view")
            .click();
        h.run_steps(2);
        assert_eq!(h.state().tab, tab, "the {label} tab shows its view");
        common::settle_frames(&mut h, 2);
        let title = h.state().title();
        assert!(title.starts_with("quantscope — "), "{label}: {title}");
        // The link of what is on screen names the view and reads back to it.
        let link = h.state().link();
        assert_eq!(link.tab.as_deref(), Some(tab.key()));
        let fragment = quantscope::deeplink::write(&link);
        let (read, notes) = quantscope::deeplink::parse(&fragment, &Tab::keys());
        assert_eq!((read, notes), (link, Vec::<String>::new()), "{fragment}");
    }
}

#[test]
fn every_view_state_round_trips_through_the_state_file() {
    let mut h = app_harness();
    h.run_steps(2);
    for &tab in Tab::ALL {
        h.state_mut().tab = tab;
        common::settle_frames(&mut h, 1);
        let ctx = h.ctx.clone();
        let saved = h.state().state(&ctx);
        assert_eq!(saved.tab, tab.key());
        let text = serde_json::to_string_pretty(&saved).expect("json");
        let read: quantscope::app::state::AppState =
            quantscope::app::state::from_json(&text).expect("a state file");
        assert_eq!(read, saved, "{}", tab.key());
        // Each view's settings sit under its key in the file.
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert!(value.get(tab.key()).is_some(), "{}", tab.key());
    }
}

#[test]
fn every_view_runs_alone() {
    for &tab in Tab::ALL {
        let mut h = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_ui_state(
                move |ui, views: &mut Views| {
                    let _ = show_alone(ui, views.get_mut(tab));
                },
                Views::default(),
            );
        for _ in 0..3000 {
            h.step();
            if !h.state().get(tab).busy() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        h.run_steps(2);
        assert!(!h.state().get(tab).busy(), "{} settles alone", tab.key());
        assert!(!h.state().get(tab).title().is_empty());
    }
}

#[test]
fn every_lesson_tab_and_link_tab_is_a_view() {
    // The lesson and links take the tab names from the list of views.
    let lesson = quantscope::lesson::Lesson::bundled(&Tab::keys());
    for step in &lesson.steps {
        if let Some(t) = &step.show.tab {
            assert!(Tab::named(t).is_some(), "{t}");
        }
    }
    let (_, notes) = quantscope::deeplink::parse("tab=kitchen", &Tab::keys());
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].starts_with("link: tab=kitchen is not "),
        "{notes:?}"
    );
    for key in Tab::keys() {
        assert!(notes[0].contains(key), "{key} named in {notes:?}");
    }
}

#[test]
fn try_in_the_lab_is_a_command_that_opens_the_lab_on_the_scheme() {
    let mut app = QuantscopeApp::default();
    app.tab = Tab::Model;
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut QuantscopeApp| app.show(ui), app);
    common::settle_frames(&mut h, 2);
    let report = h.state().model.report().expect("a tensor is selected");
    let params = report.entry.params();
    h.get_by_label("Try in the lab").click();
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.tab, Tab::Downcast);
    let s = app.downcast.state();
    // The Model panel compares with int8 per channel at first: the lab quantizes to int8,
    // on as many values as the tensor has (within the lab's 10..=10^7).
    assert!(s.quantize);
    assert_eq!(s.qtype, "int8");
    assert_eq!(s.size as u64, params.clamp(10, 10_000_000));
}

#[test]
fn the_command_is_what_the_model_view_sends() {
    // The same click on the Model view alone: the view does not change the lab, it sends the
    // app a command with the lab's link.
    let mut sent = Vec::new();
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, views: &mut Views| {
                let commands = show_alone(ui, views.get_mut(Tab::Model));
                if !commands.is_empty() {
                    ui.ctx().data_mut(|d| {
                        d.insert_temp(egui::Id::unique("sent"), format!("{commands:?}"));
                    });
                }
            },
            Views::default(),
        );
    for _ in 0..3000 {
        h.step();
        if !h.state().model.busy() && h.state().model.report().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
    h.get_by_label("Try in the lab").click();
    h.run_steps(1);
    if let Some(text) = h
        .ctx
        .data(|d| d.get_temp::<String>(egui::Id::unique("sent")))
    {
        sent.push(text);
    }
    let expected = Command::OpenLink(quantscope::deeplink::Link {
        tab: Some("downcast".into()),
        size: Some(h.state().model.report().expect("report").entry.params() as usize),
        scheme: Some("int8".into()),
        ..Default::default()
    });
    assert_eq!(sent, [format!("{:?}", vec![expected])]);
    assert_eq!(
        h.state().downcast.state(),
        Views::default().downcast.state()
    );
}
