//! Integration tests: round trips, streaming = read-all, typed errors,
//! atomic writes.

mod support;

use arrow_array::builder::{FixedSizeListBuilder, Int64Builder, Int8Builder, LargeListBuilder, ListBuilder, StringBuilder, UInt16Builder, Float32Builder, Int32Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use seqpack_io::*;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;
use support::*;

fn tmpdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Small documents including empty ones and extreme ids.
fn small_docs() -> Docs {
    let mut rng = Rng(42);
    let mut v: Vec<Vec<i32>> = vec![];
    for i in 0..200 {
        let len = if i % 17 == 0 { 0 } else { rng.below(40) as usize };
        v.push((0..len).map(|_| rng.below(50000) as i32 - 10).collect());
    }
    v[3] = vec![i32::MIN, -1, 0, i32::MAX];
    Docs::from_vecs(&v)
}

fn to_docs(t: &Tokens) -> Docs {
    Docs { tokens: t.tokens.clone(), offsets: t.offsets.clone() }
}

fn batch_of(name: &str, col: ArrayRef) -> RecordBatch {
    RecordBatch::try_from_iter([(name, col)]).unwrap()
}

/// Creates `$path` and writes `$batches` through the writer `$new(file,
/// schema)` makes for the first batch's schema, then ends it with `$end`
/// (Parquet and Arrow IPC writers share the shape, not a trait).
macro_rules! write_batches {
    ($path:expr, $batches:expr, $new:expr, $end:ident) => {{
        let batches: &[RecordBatch] = $batches;
        let f = std::fs::File::create($path).unwrap();
        let mut w = $new(f, batches[0].schema());
        for b in batches {
            w.write(b).unwrap();
        }
        w.$end().unwrap();
    }};
}

fn write_parquet(path: &Path, batches: &[RecordBatch], rows_per_group: usize) {
    let props = WriterProperties::builder().set_max_row_group_size(rows_per_group).build();
    write_batches!(path, batches, |f, s| ArrowWriter::try_new(f, s, Some(props)).unwrap(), close);
}

fn write_ipc_file(path: &Path, batches: &[RecordBatch]) {
    write_batches!(path, batches, |f, s: SchemaRef| arrow_ipc::writer::FileWriter::try_new(f, &s).unwrap(), finish);
}

fn write_ipc_stream(path: &Path, batches: &[RecordBatch]) {
    write_batches!(path, batches, |f, s: SchemaRef| arrow_ipc::writer::StreamWriter::try_new(f, &s).unwrap(), finish);
}

/// [`small_docs`] as the Parquet file `name` in `dir`: int32 token lists in
/// column `field`, `rows_per_group` documents per row group.
fn small_parquet(dir: &tempfile::TempDir, name: &str, field: &str, rows_per_group: usize) -> std::path::PathBuf {
    let p = dir.path().join(name);
    write_parquet(&p, &batches(&small_docs(), field, list_i32), rows_per_group);
    p
}

fn list_i64(docs: &Docs, r: std::ops::Range<usize>) -> ArrayRef {
    let mut b = ListBuilder::new(Int64Builder::new());
    for i in r {
        for &t in docs.doc(i) {
            b.values().append_value(t as i64);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

fn list_i32(docs: &Docs, r: std::ops::Range<usize>) -> ArrayRef {
    let mut b = ListBuilder::new(Int32Builder::new());
    for i in r {
        b.values().append_slice(docs.doc(i));
        b.append(true);
    }
    Arc::new(b.finish())
}

/// The docs as several batches (uneven sizes) of list<int64>, like HF writes.
fn batches(docs: &Docs, name: &str, mk: fn(&Docs, std::ops::Range<usize>) -> ArrayRef) -> Vec<RecordBatch> {
    let n = docs.num_docs();
    let cuts = [0, 13, 14, 90, n];
    cuts.windows(2).map(|w| batch_of(name, mk(docs, w[0]..w[1]))).collect()
}

fn read_all(path: &Path, opts: &ReadOptions) -> Docs {
    to_docs(&read_tokens(path, opts).unwrap())
}

/// Concatenates the streamed chunks, checking first_doc continuity.
fn read_streamed(path: &Path, chunk: usize) -> Docs {
    let mut r = TokenReader::open(path, &ReadOptions::default().with_chunk_docs(chunk)).unwrap();
    let mut out = Docs { tokens: vec![], offsets: vec![0] };
    let mut c = TokenChunk::default();
    while r.next_into(&mut c).unwrap() {
        assert_eq!(c.first_doc as usize, out.num_docs());
        assert!(c.num_docs() >= 1 && c.num_docs() <= chunk, "chunk of {} docs for chunk size {chunk}", c.num_docs());
        assert_eq!(c.offsets[0], 0);
        for i in 0..c.num_docs() {
            out.tokens.extend_from_slice(c.doc(i));
            out.offsets.push(out.tokens.len() as u32);
        }
    }
    assert!(!r.next_into(&mut c).unwrap(), "reader must stay finished");
    out
}

#[test]
fn every_input_format_round_trips_and_streams_like_read_all() {
    let dir = tmpdir();
    let docs = small_docs();
    let jsonl = dir.path().join("in.jsonl");
    write_jsonl(&jsonl, &docs, "input_ids");
    let pq = dir.path().join("in.parquet");
    write_parquet(&pq, &batches(&docs, "input_ids", list_i64), 7);
    let pq32 = dir.path().join("in32.pq");
    write_parquet(&pq32, &batches(&docs, "input_ids", list_i32), 1000);
    let arrow = dir.path().join("in.arrow");
    write_ipc_file(&arrow, &batches(&docs, "input_ids", list_i64));
    let stream = dir.path().join("stream.arrow"); // HF cache layout: stream in a .arrow file
    write_ipc_stream(&stream, &batches(&docs, "input_ids", list_i32));
    for p in [&jsonl, &pq, &pq32, &arrow, &stream] {
        assert_eq!(read_all(p, &ReadOptions::default()), docs, "{}", p.display());
        for chunk in [1, 3, 7, 64, 1000] {
            assert_eq!(read_streamed(p, chunk), docs, "{} chunk {chunk}", p.display());
        }
    }
    // Owned-chunk iterator and a non-file reader (stdin path).
    let bytes = std::fs::read(&jsonl).unwrap();
    let r = TokenReader::from_reader(Cursor::new(bytes), "<stdin>", Format::Jsonl, &ReadOptions::default().with_chunk_docs(50)).unwrap();
    let chunks: Vec<TokenChunk> = r.map(|c| c.unwrap()).collect();
    assert_eq!(chunks.len(), 4);
    let bytes = std::fs::read(&stream).unwrap();
    let r = TokenReader::from_reader(Cursor::new(bytes), "<stdin>", Format::Arrow, &ReadOptions::default()).unwrap();
    assert_eq!(to_docs(&read_all_tokens(r).unwrap()), docs);
    // Format override beats the extension.
    let odd = dir.path().join("data.bin");
    std::fs::copy(&pq, &odd).unwrap();
    assert_eq!(read_tokens(&odd, &ReadOptions::default()).unwrap_err().kind(), ErrorKind::UnknownFormat);
    assert_eq!(read_all(&odd, &ReadOptions::default().with_format(Format::Parquet)), docs);
}

#[test]
fn narrow_wide_unsigned_and_fixed_size_lists_are_read() {
    let dir = tmpdir();
    let p = dir.path().join("t.parquet");
    let mut u16s = LargeListBuilder::new(UInt16Builder::new());
    u16s.values().append_slice(&[0, 65535]);
    u16s.append(true);
    u16s.append(true); // empty doc
    let mut fixed = FixedSizeListBuilder::new(Int8Builder::new(), 2);
    for v in [[-128i8, 127], [0, 1], [5, 6]] {
        fixed.values().append_slice(&v);
        fixed.append(true);
    }
    u16s.values().append_slice(&[7]);
    u16s.append(true);
    let b = RecordBatch::try_from_iter([("a", Arc::new(u16s.finish()) as ArrayRef), ("b", Arc::new(fixed.finish()) as ArrayRef)]).unwrap();
    write_parquet(&p, std::slice::from_ref(&b), 2);
    let a = read_tokens(&p, &ReadOptions::default().with_field("a")).unwrap();
    assert_eq!((a.tokens, a.offsets), (vec![0, 65535, 7], vec![0, 2, 2, 3]));
    for chunk in [1, 2, 0] {
        let f = read_tokens(&p, &ReadOptions::default().with_field("b").with_chunk_docs(chunk)).unwrap();
        assert_eq!((f.tokens, f.offsets), (vec![-128, 127, 0, 1, 5, 6], vec![0, 2, 4, 6]));
    }
    // Sliced fixed-size lists through the Arrow path (batches sliced by chunking).
    let ap = dir.path().join("t.arrow");
    write_ipc_file(&ap, &[b]);
    let mut r = TokenReader::open(&ap, &ReadOptions::default().with_field("b").with_chunk_docs(2)).unwrap();
    let mut c = TokenChunk::default();
    assert!(r.next_into(&mut c).unwrap());
    assert_eq!(c.tokens, vec![-128, 127, 0, 1]);
    assert!(r.next_into(&mut c).unwrap());
    assert_eq!((c.first_doc, c.tokens.clone(), c.offsets.clone()), (2, vec![5, 6], vec![0, 2]));
}

#[test]
fn tokens_outside_int32_name_document_position_and_value() {
    let dir = tmpdir();
    // Parquet int64 values: doc 2, position 1 holds 2^40.
    let mut b = ListBuilder::new(Int64Builder::new());
    for d in [vec![1i64], vec![2, 3], vec![4, 1 << 40, 5]] {
        b.values().append_slice(&d);
        b.append(true);
    }
    let p = dir.path().join("big.parquet");
    write_parquet(&p, &[batch_of("input_ids", Arc::new(b.finish()))], 2);
    for chunk in [0, 1, 2] {
        let e = read_tokens(&p, &ReadOptions::default().with_chunk_docs(chunk)).unwrap_err();
        match &e {
            Error::BadToken { row, position, value, field, .. } => {
                assert_eq!((*row, *position, value.as_str(), field.as_str()), (2, Some(1), "1099511627776", "input_ids"));
            }
            other => panic!("{other:?}"),
        }
        let msg = e.to_string();
        assert!(msg.contains("big.parquet") && msg.contains("document 2") && msg.contains("1099511627776"), "{msg}");
    }
    // JSONL: huge, negative-huge, float, string; negative in range is fine.
    for (line, value) in [("[1, 2147483648]", "2147483648"), ("{\"input_ids\": [-2147483649]}", "-2147483649"), ("[3, 1.5]", "1.5"), ("[\"7\"]", "\"7\"")] {
        let j = dir.path().join("bad.jsonl");
        std::fs::write(&j, format!("[1]\n\n[-5, 0]\n{line}\n[9]\n")).unwrap();
        let e = read_tokens(&j, &ReadOptions::default()).unwrap_err();
        assert!(matches!(&e, Error::BadToken { row: 2, value: v, .. } if v == value), "{line}: {e:?}");
        assert_eq!(e.row(), Some(2));
    }
    let j = dir.path().join("neg.jsonl");
    std::fs::write(&j, "[-5, 0, -2147483648]\n").unwrap();
    assert_eq!(read_tokens(&j, &ReadOptions::default()).unwrap().tokens, vec![-5, 0, i32::MIN]);
    // Null element inside a list.
    let mut b = ListBuilder::new(Int32Builder::new());
    b.values().append_value(1);
    b.append(true);
    b.values().append_value(2);
    b.values().append_null();
    b.append(true);
    let p = dir.path().join("null.arrow");
    write_ipc_file(&p, &[batch_of("input_ids", Arc::new(b.finish()))]);
    let e = read_tokens(&p, &ReadOptions::default()).unwrap_err();
    assert!(matches!(&e, Error::BadToken { row: 1, position: Some(1), value, .. } if value == "null"), "{e:?}");
}

#[test]
fn missing_field_and_wrong_type_are_typed() {
    let dir = tmpdir();
    let docs = small_docs();
    let p = small_parquet(&dir, "x.parquet", "tokens", 100);
    let e = read_tokens(&p, &ReadOptions::default()).unwrap_err();
    assert!(matches!(&e, Error::MissingField { field, available, .. } if field == "input_ids" && available == &vec!["tokens".to_string()]), "{e:?}");
    assert!(e.to_string().contains("input_ids") && e.to_string().contains("tokens"), "{e}");
    let p2 = dir.path().join("x.arrow");
    write_ipc_file(&p2, &batches(&docs, "tokens", list_i32));
    assert_eq!(read_tokens(&p2, &ReadOptions::default()).unwrap_err().kind(), ErrorKind::MissingField);
    // Strings and list<float> are the wrong type.
    let mut s = StringBuilder::new();
    s.append_value("hello");
    let mut fl = ListBuilder::new(Float32Builder::new());
    fl.values().append_value(1.0);
    fl.append(true);
    let b = RecordBatch::try_from_iter([("text", Arc::new(s.finish()) as ArrayRef), ("f", Arc::new(fl.finish()) as ArrayRef)]).unwrap();
    let p3 = dir.path().join("t.parquet");
    write_parquet(&p3, &[b], 10);
    for f in ["text", "f"] {
        let e = read_tokens(&p3, &ReadOptions::default().with_field(f)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WrongFieldType, "{e}");
        assert!(e.to_string().contains(f), "{e}");
    }
    assert_eq!(read_lengths(&p3, &ReadOptions::default().with_field("text")).unwrap_err().kind(), ErrorKind::WrongFieldType);
    // JSONL: missing on document 1, wrong type on document 1.
    let j = dir.path().join("m.jsonl");
    std::fs::write(&j, "{\"input_ids\":[1]}\n{\"text\":\"a\"}\n").unwrap();
    let e = read_tokens(&j, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::MissingField { row: Some(1), .. }), "{e:?}");
    std::fs::write(&j, "{\"input_ids\":[1]}\n{\"input_ids\":\"1 2\"}\n").unwrap();
    assert_eq!(read_tokens(&j, &ReadOptions::default()).unwrap_err().kind(), ErrorKind::WrongFieldType);
    // Missing file.
    let e = read_tokens(dir.path().join("nope.jsonl"), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("nope.jsonl"));
}

#[test]
fn corrupt_files_are_typed_not_panics() {
    let dir = tmpdir();
    let good = small_parquet(&dir, "good.parquet", "input_ids", 50);
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage.parquet", b"this is not parquet at all".to_vec()),
        ("truncated.parquet", bytes[..bytes.len() / 2].to_vec()),
        ("nofooter.parquet", bytes[..bytes.len() - 3].to_vec()),
        ("garbage.arrow", b"ARROW1\0\0garbage garbage garbage".to_vec()),
        ("garbage2.arrow", vec![0xff; 64]),
        ("empty.parquet", vec![]),
    ];
    for (name, b) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        let e = read_tokens(&p, &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupt, "{name}: {e:?}");
        assert!(e.to_string().contains(name), "{e}");
    }
    // Data pages damaged but footer intact: decoding errors surface as Corrupt.
    let mut b = bytes.clone();
    for x in b[4..bytes.len() / 2].iter_mut() {
        *x ^= 0x5a;
    }
    let p = dir.path().join("pages.parquet");
    std::fs::write(&p, b).unwrap();
    let e = read_tokens(&p, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt, "{e:?}");
    // JSONL syntax error names the document.
    let j = dir.path().join("c.jsonl");
    std::fs::write(&j, "[1]\n[2]\n{\"input_ids\": [3,\n").unwrap();
    let e = read_tokens(&j, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Corrupt { row: Some(2), .. }), "{e:?}");
}

#[test]
fn empty_datasets_are_an_error() {
    let dir = tmpdir();
    let j = dir.path().join("e.jsonl");
    std::fs::write(&j, "\n  \n").unwrap();
    assert_eq!(read_tokens(&j, &ReadOptions::default()).unwrap_err().kind(), ErrorKind::Empty);
    let mut r = TokenReader::open(&j, &ReadOptions::default()).unwrap();
    let mut c = TokenChunk::default();
    assert_eq!(r.next_into(&mut c).unwrap_err().kind(), ErrorKind::Empty);
    assert!(!r.next_into(&mut c).unwrap());
    let p = dir.path().join("e.parquet");
    let empty = Docs { tokens: vec![], offsets: vec![0] };
    write_parquet(&p, &[batch_of("input_ids", list_i32(&empty, 0..0))], 10);
    assert_eq!(read_tokens(&p, &ReadOptions::default()).unwrap_err().kind(), ErrorKind::Empty);
    let a = dir.path().join("e.arrows");
    write_ipc_stream(&a, &[batch_of("input_ids", list_i32(&empty, 0..0))]);
    assert_eq!(read_tokens(&a, &ReadOptions::default()).unwrap_err().kind(), ErrorKind::Empty);
}

#[test]
fn lengths_mode_reads_integer_columns() {
    let dir = tmpdir();
    let j = dir.path().join("l.jsonl");
    std::fs::write(&j, "{\"length\": 5}\n7\n{\"n\":1,\"length\":0}\n").unwrap();
    assert_eq!(read_lengths(&j, &ReadOptions::default()).unwrap(), vec![5, 7, 0]);
    std::fs::write(&j, "{\"length\": 5}\n{\"length\": -1}\n").unwrap();
    let e = read_lengths(&j, &ReadOptions::default()).unwrap_err();
    assert!(matches!(&e, Error::BadLength { row: 1, value, .. } if value == "-1"), "{e:?}");
    let mut b = Int64Builder::new();
    b.append_slice(&[3, 4, 5, 6]);
    let p = dir.path().join("l.parquet");
    write_parquet(&p, &[batch_of("len", Arc::new(b.finish()))], 3);
    let opts = ReadOptions::default().with_field("len").with_chunk_docs(3);
    let chunks: Vec<LengthChunk> = LengthReader::open(&p, &opts).unwrap().map(|c| c.unwrap()).collect();
    assert_eq!(chunks, vec![LengthChunk { first_doc: 0, lengths: vec![3, 4, 5] }, LengthChunk { first_doc: 3, lengths: vec![6] }]);
    let mut b = Int64Builder::new();
    b.append_slice(&[3, 1 << 33]);
    write_parquet(&p, &[batch_of("len", Arc::new(b.finish()))], 3);
    let e = read_lengths(&p, &opts).unwrap_err();
    assert!(matches!(&e, Error::BadLength { row: 1, .. }), "{e:?}");
}

fn only_file(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn sample_rows() -> seqpack_core::rows::PackedRows {
    let docs = gen_docs(30_000, 7);
    reference_rows(&docs, 512, Labels::Unshifted, 0, -100)
}

/// Reads a list column of an output back with our own reader.
fn column(path: &Path, field: &str, format: Option<Format>) -> Tokens {
    let mut o = ReadOptions::default().with_field(field);
    o.format = format;
    read_tokens(path, &o).unwrap()
}

#[test]
fn written_rows_read_back_exactly_in_every_format_and_layout() {
    let rows = sample_rows();
    let view = PackedRowsView::from(&rows);
    let dir = tmpdir();
    let cap = rows.capacity;
    let seg_offsets: Vec<u32> = rows.row_segments.clone();
    for (name, layout, compression) in [
        ("o.parquet", ListLayout::FixedSize, Compression::Zstd(1)),
        ("s.parquet", ListLayout::Variable, Compression::Snappy),
        ("u.parquet", ListLayout::FixedSize, Compression::None),
        ("o.arrow", ListLayout::FixedSize, Compression::None),
        ("v.arrows", ListLayout::Variable, Compression::None),
        ("o.jsonl", ListLayout::FixedSize, Compression::None),
    ] {
        let p = dir.path().join(name);
        let opts = WriteOptions { compression, layout, row_group_rows: 7, ..Default::default() };
        // Incremental: three appends of uneven row ranges.
        let mut w = RowWriter::create(&p, cap, &opts).unwrap();
        let n = rows.num_rows;
        for (a, b) in [(0, 5), (5, 6), (6, n)] {
            w.write(&view.rows(a, b)).unwrap();
        }
        let s = w.finish().unwrap();
        assert_eq!((s.rows, s.bytes), (n as u64, std::fs::metadata(&p).unwrap().len()), "{name}");
        let cells: Vec<u32> = (0..=n as u32).map(|r| r * cap).collect();
        for (field, want) in [("input_ids", &rows.input_ids), ("labels", &rows.labels), ("position_ids", &rows.position_ids)] {
            let t = column(&p, field, None);
            assert_eq!((&t.tokens, &t.offsets), (want, &cells), "{name} {field}");
        }
        let m = column(&p, "attention_mask", None);
        assert_eq!(m.tokens, rows.attention_mask.iter().map(|&x| x as i32).collect::<Vec<_>>(), "{name}");
        for (field, want) in [("seq_lens", &rows.segment_length), ("doc_ids", &rows.segment_doc), ("doc_starts", &rows.segment_start)] {
            let t = column(&p, field, None);
            assert_eq!(t.tokens, want.iter().map(|&x| x as i32).collect::<Vec<_>>(), "{name} {field}");
            assert_eq!(t.offsets, seg_offsets, "{name} {field}");
        }
        assert_eq!(only_file(dir.path()).iter().filter(|f| f.ends_with(".tmp")).count(), 0);
    }
    // Exact Arrow types as written (checked with the Parquet reader's schema).
    let f = std::fs::File::open(dir.path().join("o.parquet")).unwrap();
    let r = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    let sch = r.schema().clone();
    assert!(matches!(sch.field_with_name("input_ids").unwrap().data_type(), DataType::FixedSizeList(c, 512) if c.data_type() == &DataType::Int32));
    assert!(matches!(sch.field_with_name("attention_mask").unwrap().data_type(), DataType::FixedSizeList(c, 512) if c.data_type() == &DataType::Int8));
    assert!(matches!(sch.field_with_name("doc_ids").unwrap().data_type(), DataType::List(c) if c.data_type() == &DataType::Int32));
    let md = r.metadata().clone();
    assert_eq!(md.num_row_groups(), rows.num_rows.div_ceil(7), "row groups of 7 rows");
    assert!((0..md.num_row_groups() - 1).all(|g| md.row_group(g).num_rows() == 7));
    // Dictionary off by default; `dictionary: true` turns it on for token
    // ids and labels only. Positions and the mask are delta-encoded.
    let chunk = |md: &parquet::file::metadata::ParquetMetaData, name: &str| {
        md.row_group(0).columns().iter().find(|c| c.column_path().string().starts_with(name)).unwrap().clone()
    };
    let has_dict = |md: &parquet::file::metadata::ParquetMetaData, name: &str| chunk(md, name).dictionary_page_offset().is_some();
    let delta = |md: &parquet::file::metadata::ParquetMetaData, name: &str| chunk(md, name).encodings().any(|e| e == parquet::basic::Encoding::DELTA_BINARY_PACKED);
    assert!(!has_dict(&md, "input_ids") && !has_dict(&md, "labels") && !has_dict(&md, "position_ids") && !has_dict(&md, "attention_mask"));
    assert!(delta(&md, "position_ids") && delta(&md, "attention_mask") && !delta(&md, "input_ids"));
    let nd = dir.path().join("dict.parquet");
    write_rows(&nd, &PackedRowsView::from(&rows), &WriteOptions { dictionary: true, ..Default::default() }).unwrap();
    let md2 = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&nd).unwrap()).unwrap().metadata().clone();
    assert!(has_dict(&md2, "input_ids") && has_dict(&md2, "labels") && !has_dict(&md2, "position_ids") && delta(&md2, "attention_mask"));
    assert_eq!(column(&nd, "input_ids", None).tokens, rows.input_ids);
    let b = r.build().unwrap().next().unwrap().unwrap();
    let m = b.column_by_name("attention_mask").unwrap().as_fixed_size_list();
    assert_eq!(m.values().as_primitive::<Int8Type>().values()[..512].iter().map(|&x| x as u8).collect::<Vec<_>>(), rows.attention_mask[..512]);
    let ids = b.column_by_name("input_ids").unwrap().as_fixed_size_list();
    assert_eq!(ids.values().as_primitive::<Int32Type>().values()[..7 * 512], rows.input_ids[..7 * 512]);
}

#[test]
fn failed_or_abandoned_writes_leave_nothing_and_keep_the_old_file() {
    let rows = sample_rows();
    let dir = tmpdir();
    for name in ["out.parquet", "out.arrow", "out.jsonl"] {
        let p = dir.path().join(name);
        std::fs::write(&p, b"previous complete output").unwrap();
        // Error mid-stream: the second write is inconsistent.
        let mut w = RowWriter::create(&p, rows.capacity, &WriteOptions::default()).unwrap();
        w.write(&PackedRowsView::from(&rows).rows(0, 3)).unwrap();
        assert_eq!(only_file(dir.path()).len(), 2, "temp file exists while writing");
        let mut bad = PackedRowsView::from(&rows);
        bad.labels = &bad.labels[1..];
        let e = w.write(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRows);
        assert_eq!(w.write(&PackedRowsView::from(&rows)).unwrap_err().kind(), ErrorKind::InvalidOption, "a failed writer stays failed");
        assert_eq!(only_file(dir.path()), vec![name.to_string()], "temp removed right after the error");
        assert!(w.finish().is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"previous complete output");
        // Dropped without finish.
        let mut w = RowWriter::create(&p, rows.capacity, &WriteOptions::default()).unwrap();
        w.write(&PackedRowsView::from(&rows)).unwrap();
        drop(w);
        assert_eq!(only_file(dir.path()), vec![name.to_string()]);
        assert_eq!(std::fs::read(&p).unwrap(), b"previous complete output");
        // Nothing written: refused, nothing left.
        let w = RowWriter::create(&p, rows.capacity, &WriteOptions::default()).unwrap();
        assert_eq!(w.finish().unwrap_err().kind(), ErrorKind::Empty);
        assert_eq!(only_file(dir.path()), vec![name.to_string()]);
        std::fs::remove_file(&p).unwrap();
    }
    // Segment value over int32 fails during the write, mid-file.
    let p = dir.path().join("big.parquet");
    let mut w = RowWriter::create(&p, rows.capacity, &WriteOptions::default()).unwrap();
    w.write(&PackedRowsView::from(&rows).rows(0, 2)).unwrap();
    let mut docs = rows.segment_doc.clone();
    docs[rows.row_segments[2] as usize] = u32::MAX;
    let mut v = PackedRowsView::from(&rows);
    v.segment_doc = &docs;
    assert_eq!(w.write(&v).unwrap_err().kind(), ErrorKind::TooLarge);
    assert!(only_file(dir.path()).is_empty());
    // Missing directory.
    let e = write_rows(dir.path().join("no/such/dir/x.parquet"), &PackedRowsView::from(&rows), &WriteOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    // Capacity mismatch and over-full rows are InvalidRows.
    let mut w = RowWriter::create(dir.path().join("c.parquet"), rows.capacity + 1, &WriteOptions::default()).unwrap();
    assert_eq!(w.write(&PackedRowsView::from(&rows)).unwrap_err().kind(), ErrorKind::InvalidRows);
    let mut lens = rows.segment_length.clone();
    lens[0] = rows.capacity + 1;
    let mut v = PackedRowsView::from(&rows);
    v.segment_length = &lens;
    assert_eq!(v.validate().unwrap_err().kind(), ErrorKind::InvalidRows);
    assert!(only_file(dir.path()).is_empty());
}

#[test]
fn reference_rows_keep_every_token_once_in_order() {
    // Guards the helper the writer tests and the Python checker rely on.
    let docs = gen_docs(20_000, 3);
    for labels in [Labels::Unshifted, Labels::Shifted] {
        let r = reference_rows(&docs, 300, labels, 0, -100);
        let mut rebuilt: Vec<Vec<i32>> = vec![vec![]; docs.num_docs()];
        for row in 0..r.num_rows {
            let mut at = row * 300;
            for s in r.row_segments[row] as usize..r.row_segments[row + 1] as usize {
                let d = r.segment_doc[s] as usize;
                assert_eq!(r.segment_start[s] as usize, rebuilt[d].len());
                rebuilt[d].extend_from_slice(&r.input_ids[at..at + r.segment_length[s] as usize]);
                at += r.segment_length[s] as usize;
            }
            assert!(at <= (row + 1) * 300);
        }
        for (d, got) in rebuilt.iter().enumerate() {
            assert_eq!(got.as_slice(), docs.doc(d));
        }
        PackedRowsView::from(&r).validate().unwrap();
    }
}
