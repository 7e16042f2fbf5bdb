//! One module per subcommand that does more than call the pipeline: arguments in, exit code out.

pub mod prove;
pub mod status;
