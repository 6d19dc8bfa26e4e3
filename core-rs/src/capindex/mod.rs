//! capindex (to be written).
