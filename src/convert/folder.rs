//! Converting whole folders (to be wired to crate::batch).
