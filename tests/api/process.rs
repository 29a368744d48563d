//! The `opsdeck` binary as separate processes, as an operator or an orchestrator starts them.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use crate::helpers::{TestResult, eventually};

/// `opsdeck ARGS` with exactly these `OPSDECK_*` variables (none inherited from the test's own
/// environment).
pub fn opsdeck_command(args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    command.args(args).stdin(Stdio::null());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("OPSDECK_")) {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    command
}

/// Runs `opsdeck ARGS` to its end (see `opsdeck_command`).
pub fn opsdeck(args: &[&str], vars: &[(&str, &str)]) -> TestResult<Output> {
    Ok(opsdeck_command(args, vars).output()?)
}

/// A running `opsdeck serve` (or `opsdeck worker`), once it printed the address it answers on.
pub struct Server {
    child: Child,
    pub address: String,
    /// The one-time password, when this process created the first superadmin.
    pub admin_password: Option<String>,
}

impl Server {
    /// Starts `opsdeck serve ARGS` and waits until it says where it serves.
    pub async fn start(args: &[&str], vars: &[(&str, &str)]) -> TestResult<Self> {
        Self::start_until(&[&["serve"], args].concat(), vars, "opsdeck is serving on ").await
    }

    /// Starts `opsdeck worker ARGS` and waits until it says where its probes answer.
    pub async fn start_worker(args: &[&str], vars: &[(&str, &str)]) -> TestResult<Self> {
        Self::start_until(&[&["worker"], args].concat(), vars, "opsdeck worker is running; probes on ").await
    }

    /// Starts the process and reads its output until a line starts with `banner`, followed by
    /// the address.
    async fn start_until(args: &[&str], vars: &[(&str, &str)], banner: &'static str) -> TestResult<Self> {
        let mut command = opsdeck_command(args, vars);
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let announced = tokio::task::spawn_blocking(move || {
            let mut password = None;
            let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
            for line in lines.by_ref() {
                if let Some(found) = line.trim().strip_prefix("password: ") {
                    password = Some(found.to_owned());
                }
                if let Some(rest) = line.strip_prefix(banner) {
                    let address = rest.split_whitespace().next().map(str::to_owned);
                    // Keep reading so the process never blocks on a full pipe.
                    std::thread::spawn(move || lines.for_each(drop));
                    return address.map(|address| (address, password));
                }
            }
            None
        })
        .await?;
        match announced {
            Some((address, admin_password)) => Ok(Self { child, address, admin_password }),
            None => {
                let status = child.wait()?;
                Err(format!("opsdeck {args:?} stopped before it was up: {status}").into())
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then waits for the exit (its grace is 30 s); returns whether it exited 0.
    pub async fn terminate(mut self) -> TestResult<bool> {
        self.signal("TERM")?;
        let exit = eventually(
            &format!("opsdeck (pid {}) to exit after SIGTERM", self.pid()),
            Duration::from_secs(35),
            async || Ok(self.child.try_wait()?),
            Option::is_some,
        )
        .await?;
        Ok(exit.is_some_and(|status| status.success()))
    }

    /// SIGKILL, then waits for the exit.
    pub fn kill(mut self) -> TestResult {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    fn signal(&self, name: &str) -> TestResult {
        let sent = Command::new("kill").args([&format!("-{name}"), &self.pid().to_string()]).status()?;
        if sent.success() { Ok(()) } else { Err(format!("kill -{name} {} failed", self.pid()).into()) }
    }
}

/// A test that fails half-way leaves no process behind.
impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
