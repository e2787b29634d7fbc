//! Running the `voxprep` binary under test: a `std::process::Command` with a
//! time bound, and a finished [`Run`] whose assertions print the command
//! line and both streams when they fail.

use std::ffi::OsStr;
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary cargo built for these tests.
pub const VOXPREP: &str = env!("CARGO_BIN_EXE_voxprep");

/// How long a run may take before it is killed and the test fails: a bound,
/// never a pace.
const PATIENCE: Duration = Duration::from_secs(120);

/// A ledger file of this test process's own, under the temporary folder:
/// `send` records into a ledger by default, and a test must never write
/// into the ledger in the real home folder. A test that looks at the
/// ledger sets `VOXPREP_LEDGER` (or `--ledger`) itself.
fn scratch_ledger() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("voxprep-test-ledger-{}.sqlite", std::process::id()))
}

/// `voxprep` with no arguments yet.
pub fn voxprep() -> Voxprep {
    let mut cmd = Command::new(VOXPREP);
    cmd.env("VOXPREP_LEDGER", scratch_ledger());
    Voxprep {
        cmd,
        stdin: None,
        timeout: PATIENCE,
    }
}

/// `voxprep` run by util-linux's `prlimit` with its address space limited
/// to `bytes`: an allocation past it fails (Rust aborts the process), so a
/// run that finishes proves the inputs could not make it reserve that much.
pub fn voxprep_within(bytes: u64) -> Voxprep {
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--as={bytes}")).arg("--").arg(VOXPREP);
    cmd.env("VOXPREP_LEDGER", scratch_ledger());
    Voxprep {
        cmd,
        stdin: None,
        timeout: PATIENCE,
    }
}

/// A `voxprep` command line being built.
pub struct Voxprep {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Voxprep {
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Voxprep {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Voxprep {
        self.cmd.args(args);
        self
    }

    pub fn env(&mut self, key: &str, value: impl AsRef<OsStr>) -> &mut Voxprep {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(&mut self, key: &str) -> &mut Voxprep {
        self.cmd.env_remove(key);
        self
    }

    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Voxprep {
        self.cmd.current_dir(dir);
        self
    }

    /// Bytes for its stdin (default: none, stdin closed).
    pub fn stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Voxprep {
        self.stdin = Some(bytes.into());
        self
    }

    /// Fail the test if the run takes longer than `bound` (default 120 s).
    pub fn timeout(&mut self, bound: Duration) -> &mut Voxprep {
        self.timeout = bound;
        self
    }

    /// Start it with stdout and stderr piped, for a test that talks to it
    /// or signals it while it runs.
    pub fn spawn(&mut self) -> Child {
        self.cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.line()))
    }

    /// Run it to its end (at most the time bound) and capture what it wrote.
    pub fn run(&mut self) -> Run {
        let command = self.line();
        let mut child = self
            .cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
        if let Some(bytes) = self.stdin.clone() {
            let mut pipe = child.stdin.take().expect("piped stdin");
            // A thread, so that a child that does not read cannot block us;
            // a child that exits first makes the write fail, which is fine.
            std::thread::spawn(move || pipe.write_all(&bytes));
        }
        // Each stream is read to its end on a thread; both ends (the child
        // has exited, or closed them) are the event waited for.
        let deadline = Instant::now() + self.timeout;
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        let end = |stream: mpsc::Receiver<Vec<u8>>| {
            stream.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        };
        let (Ok(stdout), Ok(stderr)) = (end(stdout), end(stderr)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command} still running after {:?}: killed", self.timeout);
        };
        let status = child.wait().expect("wait for voxprep");
        Run {
            command,
            output: Output {
                status,
                stdout,
                stderr,
            },
        }
    }

    /// The command line, for messages.
    fn line(&self) -> String {
        std::iter::once(OsStr::new("voxprep"))
            .chain(self.cmd.get_args())
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Read `stream` to its end on a thread; its bytes arrive on the receiver.
fn drain(mut stream: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        let _ = tx.send(bytes);
    });
    rx
}

/// A finished run.
pub struct Run {
    command: String,
    pub output: Output,
}

impl Run {
    /// Assert the exit code (a run killed by a signal has none).
    #[track_caller]
    pub fn code(self, want: i32) -> Run {
        assert_eq!(self.output.status.code(), Some(want), "{self}");
        self
    }

    /// Assert exit code 0.
    #[track_caller]
    pub fn success(self) -> Run {
        self.code(0)
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        let text = self.stdout();
        self.holds("stdout", &text, needle, true)
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Run {
        let text = self.stdout();
        self.holds("stdout", &text, needle, false)
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        let text = self.stderr();
        self.holds("stderr", &text, needle, true)
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Run {
        let text = self.stderr();
        self.holds("stderr", &text, needle, false)
    }

    /// Assert that `text`, the stream `name`, holds `needle` (or lacks it).
    #[track_caller]
    fn holds(self, name: &str, text: &str, needle: &str, want: bool) -> Run {
        let what = if want { "no" } else { "a" };
        assert_eq!(
            text.contains(needle),
            want,
            "{what} {needle:?} on {name}: {self}"
        );
        self
    }

    /// Stdout, which must be UTF-8.
    #[track_caller]
    pub fn stdout(&self) -> String {
        String::from_utf8(self.output.stdout.clone())
            .unwrap_or_else(|_| panic!("stdout is not UTF-8: {self}"))
    }

    /// Stderr, which must be UTF-8.
    #[track_caller]
    pub fn stderr(&self) -> String {
        String::from_utf8(self.output.stderr.clone())
            .unwrap_or_else(|_| panic!("stderr is not UTF-8: {self}"))
    }

    /// Stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self}"))
    }
}

/// Its `Output`: `status`, `stdout`, `stderr`.
impl std::ops::Deref for Run {
    type Target = Output;
    fn deref(&self) -> &Output {
        &self.output
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\n$ {}\nexit: {}\n--- stdout\n{}--- stderr\n{}---",
            self.command,
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }
}

/// The bound holds: a run that would never end (a receiver waits for
/// pushes until stopped) is killed, and the test fails saying so.
#[test]
#[should_panic(expected = "still running after 1s: killed")]
fn a_run_past_its_bound_is_killed() {
    voxprep()
        .args(["receive", "--listen", "127.0.0.1:0"])
        .timeout(Duration::from_secs(1))
        .run();
}
