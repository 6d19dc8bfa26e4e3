//! replay (to be written).
