//! Helpers shared by the test modules: a fixture site server, a misbehaving
//! server, hostile-page builders and the politeness checker.

pub mod faults;
pub mod hostile;
pub mod lines;
pub mod media;
pub mod site;
pub mod spacing;
pub mod wordpress;
