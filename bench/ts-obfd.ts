// A plain TypeScript OBFD written for speed, to show what the native core buys
// over well-written JS. Same algorithm and tie-breaking as seqpack's `obfd`,
// so it must produce the same bins:
//   - counting sort of lengths, largest first, equal lengths in ascending index;
//   - bins indexed by remaining capacity: for each remaining value a LIFO stack
//     of bins (so among equal remaining, the bin that reached it last wins),
//     and a hierarchical 32-ary bitset over 0..C answering "smallest remaining
//     >= len with a non-empty stack" in O(log32 C) word scans.
// O(N + C) memory, O(N log32 C + C) time. Output in the flat form of seqpack.

export interface FlatPacking {
  items: Uint32Array
  binOffsets: Uint32Array
  binLoads: Uint32Array
  numBins: number
}

/** Index of the lowest set bit of a non-zero 32-bit word. */
function ctz(w: number): number {
  return 31 - Math.clz32(w & -w)
}

export function obfd(lengths: Uint32Array, capacity: number): FlatPacking {
  const n = lengths.length

  // Counting sort, descending; stable, so equal lengths keep ascending index.
  // `count` is kept: the main loop walks the buckets, so it knows each item's
  // length without a random read of `lengths` (that gather dominates at N = 1M).
  const count = new Uint32Array(capacity + 1)
  for (let i = 0; i < n; i++) {
    const l = lengths[i]
    if (l < 1 || l > capacity) throw new RangeError(`length ${l} at index ${i} is outside 1..${capacity}`)
    count[l]++
  }
  const start = new Uint32Array(capacity + 1)
  let acc = 0
  for (let l = capacity; l >= 1; l--) {
    start[l] = acc
    acc += count[l]
  }
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[start[lengths[i]]++] = i

  // Hierarchical bitset: levels[0] has one bit per remaining value 0..C,
  // levels[k + 1] one bit per non-zero word of levels[k].
  const levels: Uint32Array[] = []
  let size = capacity + 1
  do {
    size = (size + 31) >>> 5
    levels.push(new Uint32Array(size))
  } while (size > 1)
  const depth = levels.length

  const head = new Int32Array(capacity + 1).fill(-1) // top bin of the stack per remaining value
  const next = new Int32Array(n) // next bin down the same stack
  const binOfSorted = new Uint32Array(n) // bin of the k-th item in sorted order
  let numBins = 0

  let len = capacity + 1
  let left = 0 // items left in the current length bucket
  for (let k = 0; k < n; k++) {
    while (left === 0) left = count[--len]
    left--

    // Find the smallest set bit >= len: climb while the rest of the word is empty, then descend.
    let r = -1
    let x = len
    let lv = 0
    for (; lv < depth; lv++) {
      const w = x >>> 5
      const words = levels[lv]
      if (w >= words.length) break
      const bits = words[w] & (-1 << (x & 31))
      if (bits !== 0) {
        x = (w << 5) + ctz(bits)
        while (lv > 0) {
          lv--
          x = (x << 5) + ctz(levels[lv][x])
        }
        r = x
        break
      }
      x = w + 1
    }

    let b: number
    let rem: number
    if (r < 0) {
      b = numBins++
      rem = capacity - len
    } else {
      b = head[r]
      const below = next[b]
      head[r] = below
      if (below < 0) {
        // Stack emptied: clear the bit and every parent word that becomes zero.
        let y = r
        for (let l2 = 0; l2 < depth; l2++) {
          const w = y >>> 5
          levels[l2][w] &= ~(1 << (y & 31))
          if (levels[l2][w] !== 0) break
          y = w
        }
      }
      rem = r - len
    }
    binOfSorted[k] = b
    if (rem > 0) {
      const top = head[rem]
      next[b] = top
      head[rem] = b
      if (top < 0) {
        let y = rem
        for (let l2 = 0; l2 < depth; l2++) {
          const w = y >>> 5
          const was = levels[l2][w]
          levels[l2][w] = was | (1 << (y & 31))
          if (was !== 0) break
          y = w
        }
      }
    }
  }

  // Flat output: bins in opening order, items within a bin in placement order.
  const binOffsets = new Uint32Array(numBins + 1)
  const binLoads = new Uint32Array(numBins)
  for (let k = 0; k < n; k++) binOffsets[binOfSorted[k] + 1]++
  for (let b = 0; b < numBins; b++) binOffsets[b + 1] += binOffsets[b]
  const fill = binOffsets.slice(0, numBins)
  const items = new Uint32Array(n)
  len = capacity + 1
  left = 0
  for (let k = 0; k < n; k++) {
    while (left === 0) left = count[--len]
    left--
    const b = binOfSorted[k]
    items[fill[b]++] = order[k]
    binLoads[b] += len
  }
  return { items, binOffsets, binLoads, numBins }
}
