//! The core's packed rows as the writers see them.

use crate::PackedRowsView;
use seqpack_core::rows::PackedRows;

/// Borrows the columns the writers use; the packing metrics and the row to
/// bin map stay behind (no output format carries them). `O(1)`.
impl<'a> From<&'a PackedRows> for PackedRowsView<'a> {
    fn from(r: &'a PackedRows) -> Self {
        PackedRowsView {
            capacity: r.capacity,
            num_rows: r.num_rows,
            input_ids: &r.input_ids,
            labels: &r.labels,
            position_ids: &r.position_ids,
            attention_mask: &r.attention_mask,
            row_segments: &r.row_segments,
            segment_doc: &r.segment_doc,
            segment_start: &r.segment_start,
            segment_length: &r.segment_length,
        }
    }
}
