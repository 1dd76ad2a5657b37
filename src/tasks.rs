//! The panels' heavy work described as data ([`Task`]) with its result ([`Output`]), so the
//! same computation runs on a thread on the desktop and in a web worker in the browser
//! (where it crosses as [`crate::wire`] bytes). GUI-free.

use crate::infer::compare::{RunResult, run_all};
use crate::infer::run::Classifier;
use crate::model::ModelFiles;
use crate::model::analysis::{
    SensitivityRow, TensorReport, TensorScheme, sensitivity, tensor_report,
};
use crate::tensor::lab::{LabReport, LabRequest};
use crate::tensor::{Cancelled, Progress};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;

/// An open checkpoint a task works on: its id, and (where it is open) the checkpoint and the
/// classifier built from it. Only the id crosses to a worker, which opens its own copy.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ModelRef {
    /// [`ModelFiles::id`].
    pub id: u64,
    /// The checkpoint.
    #[serde(skip)]
    pub files: Option<Arc<ModelFiles>>,
    /// The classifier (with its cache of prepared weights), for [`Task::Classify`].
    #[serde(skip)]
    pub classifier: Option<Arc<Classifier>>,
}

impl ModelRef {
    /// A reference to an open checkpoint.
    pub fn files(files: &Arc<ModelFiles>) -> ModelRef {
        ModelRef {
            id: files.id,
            files: Some(Arc::clone(files)),
            classifier: None,
        }
    }

    /// A reference to a classifier and the checkpoint it was read from.
    pub fn classifier(model: &Arc<Classifier>) -> ModelRef {
        ModelRef {
            id: model.origin.id,
            files: Some(Arc::clone(&model.origin)),
            classifier: Some(Arc::clone(model)),
        }
    }

    fn open_files(&self) -> Result<&ModelFiles, String> {
        self.files
            .as_deref()
            .ok_or_else(|| "the checkpoint is not open here".to_string())
    }
}

/// A panel's background computation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Task {
    /// The downcast lab.
    Lab(LabRequest),
    /// One tensor's statistics and histogram, optionally under a scheme.
    Report {
        /// The checkpoint.
        model: ModelRef,
        /// Tensor name.
        name: String,
        /// Histogram bins.
        bins: usize,
        /// Scheme to compare with.
        scheme: Option<TensorScheme>,
    },
    /// The sensitivity table.
    Sensitivity {
        /// The checkpoint.
        model: ModelRef,
        /// Schemes, one column each.
        schemes: Vec<TensorScheme>,
    },
    /// Classify one input in every precision.
    Classify {
        /// The classifier.
        model: ModelRef,
        /// Preprocessed pixel values.
        pixels: Vec<f32>,
    },
}

/// What a [`Task`] produced (moved once, so the size of the lab's variant does not matter).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Output {
    /// From [`Task::Lab`].
    Lab(Result<Result<LabReport, String>, Cancelled>),
    /// From [`Task::Report`].
    Report(Result<TensorReport, String>),
    /// From [`Task::Sensitivity`].
    Sensitivity(Result<Vec<SensitivityRow>, Cancelled>),
    /// From [`Task::Classify`].
    Classify(Result<RunResult, String>),
}

impl Task {
    /// The checkpoint the task needs, if any.
    pub fn model(&self) -> Option<&ModelRef> {
        match self {
            Task::Lab(_) => None,
            Task::Report { model, .. }
            | Task::Sensitivity { model, .. }
            | Task::Classify { model, .. } => Some(model),
        }
    }

    fn model_mut(&mut self) -> Option<&mut ModelRef> {
        match self {
            Task::Lab(_) => None,
            Task::Report { model, .. }
            | Task::Sensitivity { model, .. }
            | Task::Classify { model, .. } => Some(model),
        }
    }

    /// Do the work (on this thread), reporting to `progress`.
    pub fn run(&self, progress: &Progress) -> Output {
        match self {
            Task::Lab(req) => Output::Lab(crate::tensor::lab::run(req, progress)),
            Task::Report {
                model,
                name,
                bins,
                scheme,
            } => Output::Report(
                model
                    .open_files()
                    .and_then(|f| tensor_report(f, name, *bins, *scheme, progress)),
            ),
            Task::Sensitivity { model, schemes } => Output::Sensitivity(match model.open_files() {
                Ok(f) => sensitivity(f, schemes, progress),
                // Not reachable: a worker resolves the checkpoint before running.
                Err(_) => Ok(Vec::new()),
            }),
            Task::Classify { model, pixels } => Output::Classify(match &model.classifier {
                Some(c) => run_all(c, pixels, progress),
                None => Err("the classifier is not open here".into()),
            }),
        }
    }
}

/// A result type one kind of [`Task`] produces (what a panel's job waits for).
pub trait TaskResult: Sized {
    /// The result, if `output` is of this kind.
    fn from_output(output: Output) -> Option<Self>;
    /// The result when the work could not run where it was sent (`why`).
    fn from_error(why: String) -> Self;
}

macro_rules! task_result {
    ($variant:ident, $ty:ty, $why:ident => $err:expr) => {
        impl TaskResult for $ty {
            fn from_output(output: Output) -> Option<Self> {
                match output {
                    Output::$variant(r) => Some(r),
                    _ => None,
                }
            }
            fn from_error($why: String) -> Self {
                $err
            }
        }
    };
}

task_result!(Lab, Result<Result<LabReport, String>, Cancelled>, why => Ok(Err(why)));
task_result!(Report, Result<TensorReport, String>, why => Err(why));
// The table has no place for a message: it stays empty (the console has the reason).
task_result!(Sensitivity, Result<Vec<SensitivityRow>, Cancelled>, _why => Err(Cancelled));
task_result!(Classify, Result<RunResult, String>, why => Err(why));

/// Checkpoints opened from bytes in a worker, newest last; a few are kept, with the
/// classifier (and its prepared weights) built the first time one is run.
#[derive(Default)]
pub struct OpenModels {
    open: VecDeque<(Arc<ModelFiles>, Option<Arc<Classifier>>)>,
}

/// Checkpoints a worker keeps open at once.
const KEPT: usize = 2;

impl OpenModels {
    /// Whether the checkpoint with `id` is open.
    pub fn has(&self, id: u64) -> bool {
        self.open.iter().any(|(f, _)| f.id == id)
    }

    /// Open a checkpoint from its files under the id the page gave it.
    pub fn load(
        &mut self,
        id: u64,
        label: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let mut opened = ModelFiles::from_memory(label, files)?;
        opened.id = id;
        self.open.retain(|(f, _)| f.id != id);
        self.open.push_back((Arc::new(opened), None));
        while self.open.len() > KEPT {
            self.open.pop_front();
        }
        Ok(())
    }

    /// Fill in the task's checkpoint (and classifier) from those open here.
    pub fn resolve(&mut self, task: &mut Task) -> Result<(), String> {
        let classify = matches!(task, Task::Classify { .. });
        let Some(model) = task.model_mut() else {
            return Ok(());
        };
        let entry = self
            .open
            .iter_mut()
            .find(|(f, _)| f.id == model.id)
            .ok_or("the checkpoint was not sent to the worker")?;
        if classify && entry.1.is_none() {
            entry.1 = Some(Arc::new(Classifier::from_shared(Arc::clone(&entry.0))?));
        }
        model.files = Some(Arc::clone(&entry.0));
        model.classifier = entry.1.clone();
        Ok(())
    }
}

/// Run a task received as [`crate::wire`] bytes with the checkpoints open here, and
/// encode its output (a worker's whole job).
pub fn run_encoded(
    models: &mut OpenModels,
    task: &[u8],
    progress: &Progress,
) -> Result<Vec<u8>, String> {
    let mut task: Task = crate::wire::decode(task)?;
    models.resolve(&mut task)?;
    crate::wire::encode(&task.run(progress))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{Format, RoundingMode};
    use crate::infer::run::bundled_files;
    use crate::model::analysis::DEFAULT_SCHEMES;
    use crate::tensor::Distribution;
    use crate::tensor::lab::Target;

    /// Run `task` here and as a worker does (encoded, opened from bytes, decoded).
    fn both_ways(task: Task, models: &mut OpenModels) -> (Output, Output) {
        let here = task.run(&Progress::new());
        let bytes = crate::wire::encode(&task).unwrap();
        let there = run_encoded(models, &bytes, &Progress::new()).unwrap();
        (here, crate::wire::decode(&there).unwrap())
    }

    fn bundled() -> (Arc<ModelFiles>, OpenModels) {
        let files = Arc::new(ModelFiles::from_memory("bundled", bundled_files()).unwrap());
        let mut models = OpenModels::default();
        let bytes = files
            .memory_files()
            .into_iter()
            .map(|(n, b)| (n, b.to_vec()))
            .collect();
        models.load(files.id, "bundled", bytes).unwrap();
        (files, models)
    }

    #[test]
    fn the_lab_gives_the_same_report_through_a_worker() {
        let req = LabRequest {
            dist: Distribution::Normal {
                mean: 0.0,
                std: 1.0,
            },
            size: 10_000,
            seed: 7,
            target: Target::Cast(Format::named("float8_e4m3fn")),
            rounding: RoundingMode::Stochastic,
            bins: 64,
            range: None,
        };
        let (Output::Lab(Ok(Ok(a))), Output::Lab(Ok(Ok(b)))) =
            both_ways(Task::Lab(req), &mut OpenModels::default())
        else {
            panic!("the lab failed");
        };
        // Everything the CLI prints, and the plot data it does not.
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(a.hist_original, b.hist_original);
        assert_eq!(a.hist_error, b.hist_error);
        assert_eq!(a.sample, b.sample);
        assert_eq!(a.distinct, b.distinct);
        assert!(!b.hist_stored.counts.is_empty() && b.distinct.is_some());
    }

    #[test]
    fn a_classifier_gives_the_same_logits_through_a_worker() {
        let (files, mut models) = bundled();
        let model = Arc::new(Classifier::from_shared(Arc::clone(&files)).unwrap());
        let img = image::DynamicImage::new_luma8(28, 28);
        let task = Task::Classify {
            model: ModelRef::classifier(&model),
            pixels: model.preprocess(&img),
        };
        let (Output::Classify(Ok(a)), Output::Classify(Ok(b))) = both_ways(task, &mut models)
        else {
            panic!("classification failed");
        };
        assert_eq!(a.predictions.len(), b.predictions.len());
        for (p, q) in a.predictions.iter().zip(&b.predictions) {
            assert_eq!(p.logits, q.logits, "{}", p.dtype);
            assert_eq!(p.top5, q.top5);
        }
        assert_eq!(a.differences, b.differences);
        assert!(!b.differences[1].layer_rel_error.is_empty());
    }

    #[test]
    fn tensor_statistics_are_the_same_through_a_worker() {
        let (files, mut models) = bundled();
        let task = Task::Report {
            model: ModelRef::files(&files),
            name: "conv1.weight".into(),
            bins: 40,
            scheme: Some(TensorScheme::parse("int8:channel").unwrap()),
        };
        let (Output::Report(Ok(a)), Output::Report(Ok(b))) = both_ways(task, &mut models) else {
            panic!("report failed");
        };
        assert_eq!(a.entry, b.entry);
        assert_eq!(a.histogram, b.histogram);
        assert_eq!(a.scheme, b.scheme);
        let schemes = TensorScheme::parse_list(DEFAULT_SCHEMES).unwrap();
        let task = Task::Sensitivity {
            model: ModelRef::files(&files),
            schemes,
        };
        let (Output::Sensitivity(Ok(a)), Output::Sensitivity(Ok(b))) = both_ways(task, &mut models)
        else {
            panic!("sensitivity failed");
        };
        assert_eq!(a, b);
        assert_eq!(b.len(), 8);
    }

    #[test]
    fn a_checkpoint_never_sent_is_a_message() {
        let (files, _) = bundled();
        let task = Task::Sensitivity {
            model: ModelRef::files(&files),
            schemes: Vec::new(),
        };
        let bytes = crate::wire::encode(&task).unwrap();
        let e = run_encoded(&mut OpenModels::default(), &bytes, &Progress::new()).unwrap_err();
        assert!(e.contains("not sent"), "{e}");
        assert!(run_encoded(&mut OpenModels::default(), b"junk", &Progress::new()).is_err());
    }

    #[test]
    fn a_worker_keeps_two_checkpoints_open() {
        let mut models = OpenModels::default();
        for id in 1..=3 {
            models.load(id, "bundled", bundled_files()).unwrap();
        }
        assert!(!models.has(1) && models.has(2) && models.has(3));
        assert!(
            models
                .load(9, "junk", vec![("x.safetensors".into(), vec![1, 2])])
                .is_err()
        );
    }
}
