//! Test harness: a moto server on a free loopback port, started from the test venv with the
//! patches in `moto_patched.py` (documented there), shared by the tests of one test binary,
//! reset between tests, killed on drop (and exiting by itself when the test process dies).

#![allow(dead_code)]

pub mod fixture;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The venv with moto: `CFNC_TEST_VENV`, else `<repo>/.venv`.
pub fn venv() -> PathBuf {
    std::env::var_os("CFNC_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::common::repo().join(".venv"))
}

pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// Starts a server; panics with a clear message when the venv is missing.
    pub fn start() -> Moto {
        let python = venv().join("bin").join("python");
        assert!(
            python.exists(),
            "no Python venv with moto at {} (run ./scripts/test once, or set CFNC_TEST_VENV)",
            venv().display()
        );
        let port = free_port();
        let script = crate::common::repo().join("tests/moto/moto_patched.py");
        let child = Command::new(python)
            .arg(script)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("CFNC_MOTO_EXIT_ON_EOF", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(match std::env::var_os("CFNC_TEST_MOTO_LOG") {
                // Debugging aid: CFNC_TEST_MOTO_LOG=/tmp/moto.log keeps the server's log.
                Some(path) => Stdio::from(std::fs::File::create(path).expect("moto log file")),
                None => Stdio::null(),
            })
            .spawn()
            .expect("moto_server starts");
        let moto = Moto { child, port };
        moto.wait_ready(Duration::from_secs(30));
        moto
    }

    /// One server per test binary; tests take turns (the guard) and start from a reset state.
    pub fn shared() -> MutexGuard<'static, Moto> {
        static SHARED: OnceLock<Mutex<Moto>> = OnceLock::new();
        Moto::take(&SHARED)
    }

    /// A second shared server (the same patches), so the long whole-platform flows of
    /// `alarms_scale` do not hold up the other moto tests; tests take turns.
    pub fn shared_full() -> MutexGuard<'static, Moto> {
        static SHARED: OnceLock<Mutex<Moto>> = OnceLock::new();
        Moto::take(&SHARED)
    }

    /// The server of `cell` (started on first use), reset, for this test alone.
    fn take(cell: &'static OnceLock<Mutex<Moto>>) -> MutexGuard<'static, Moto> {
        let guard = cell.get_or_init(|| Mutex::new(Moto::start())).lock().unwrap_or_else(|p| p.into_inner());
        guard.reset();
        guard
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `POST /moto-api/reset`: forget every resource.
    pub fn reset(&self) {
        let (status, _) = http(self.port, "POST", "/moto-api/reset", "");
        assert_eq!(status, 200, "moto reset");
    }

    fn wait_ready(&self, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let (status, _) = http(self.port, "GET", "/moto-api/data.json", "");
                if status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not start on port {} within {timeout:?}", self.port);
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind loopback").local_addr().expect("local addr").port()
}

/// A minimal HTTP/1.1 request; returns (status, body).
pub fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return (0, String::new()) };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    let status = resp.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Environment for a `cfnc` process talking to `endpoint` with fake credentials and nothing
/// from the developer's own AWS configuration.
pub fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ENDPOINT_URL", endpoint.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent/cfnc-test/config".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/cfnc-test/credentials".into()),
        ("CI", "true".into()),
        ("NO_COLOR", "1".into()),
    ]
}

/// Variables a test must not inherit from the developer's shell.
pub const CLEARED: &[&str] =
    &["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "CFNC_ENV", "AWS_MAX_ATTEMPTS"];

/// `cfnc` with nothing from the developer's environment (fake credentials, region
/// us-east-1, AWS at `endpoint`), as a `Command` to add arguments to.
pub fn cfnc_command(endpoint: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfnc"));
    for k in CLEARED {
        cmd.env_remove(k);
    }
    cmd.envs(aws_env(endpoint));
    cmd
}

/// Runs `cfnc --project PROJECT ARGS...` against AWS at `endpoint` (see [`cfnc_command`]).
pub fn cfnc_at(endpoint: &str, project: &Path, args: &[&str]) -> std::process::Output {
    cfnc_command(endpoint).arg("--project").arg(project).args(args).output().unwrap()
}

/// Exit code, stdout and stderr of a run, for assertion messages.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The run, after asserting that it succeeded.
pub fn ok(o: std::process::Output) -> std::process::Output {
    assert!(o.status.success(), "{}", text(&o));
    o
}

/// cfnc's AWS clients for the emulator at `endpoint` (fake credentials, us-east-1), for
/// tests that look at the stacks through the library.
pub fn aws_client(endpoint: &str) -> cfnc_cli::aws::Aws {
    let conf = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("testing", "testing", None, None, "test"),
        ))
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    cfnc_cli::aws::Aws::from_config(conf).unwrap()
}

/// Runs a future to completion on a current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}
