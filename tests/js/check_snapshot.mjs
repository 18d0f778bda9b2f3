// check_snapshot.mjs SNAPSHOT EXPECTED.json
// Loads a pyheap .heapsnapshot with memlab and compares what memlab reports with what the heap
// computed itself (tests/snapshot/snapshot_fixture.cpp): node counts per type, the largest
// objects by self size, and retained sizes (memlab's dominator tree vs pyheap's). Exit 1 on any
// difference, after printing every comparison.
import {readFileSync} from 'node:fs';
import {getFullHeapFromFile} from '@memlab/heap-analysis';

const [snapshotPath, expectedPath] = process.argv.slice(2);
if (!snapshotPath || !expectedPath) {
  console.error('usage: node check_snapshot.mjs SNAPSHOT EXPECTED.json');
  process.exit(2);
}
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
const heap = await getFullHeapFromFile(snapshotPath);

const rows = [];
let failed = false;
function compare(what, memlab, pyheap) {
  const ok = JSON.stringify(memlab) === JSON.stringify(pyheap);
  if (!ok) failed = true;
  rows.push(`${ok ? 'ok  ' : 'FAIL'} ${what}: memlab ${JSON.stringify(memlab)}, pyheap ${JSON.stringify(pyheap)}`);
}

let nodeCount = 0, strings = 0, numbers = 0, selfBytes = 0;
const objectsByName = {};
const sizes = [];
heap.nodes.forEach(node => {
  ++nodeCount;
  selfBytes += node.self_size;
  if (node.type === 'string') ++strings;
  if (node.type === 'number') ++numbers;
  if (node.type === 'object') objectsByName[node.name] = (objectsByName[node.name] ?? 0) + 1;
  if (node.type !== 'synthetic') sizes.push({self_size: node.self_size, name: node.name.slice(0, 40)});
});
const sortedKeys = o => Object.fromEntries(Object.keys(o).sort().map(k => [k, o[k]]));

compare('nodes', nodeCount, expected.node_count);
compare('objects (nodes minus the 4 synthetic ones)', nodeCount - 4, expected.objects);
compare('string nodes', strings, expected.strings);
compare('number nodes', numbers, expected.numbers);
compare('sum of self sizes', selfBytes, expected.self_bytes);
compare('object nodes per type', sortedKeys(objectsByName), sortedKeys(expected.objects_by_name));

sizes.sort((a, b) => b.self_size - a.self_size);
const top = sizes.slice(0, expected.largest.length);
compare('largest self sizes', top.map(x => x.self_size), expected.largest.map(x => x.self_size));
// Names only where the size is not tied with the last one listed (ties may come in any order).
const cut = expected.largest[expected.largest.length - 1].self_size;
compare('largest objects (untied) by name', top.filter(x => x.self_size > cut).map(x => x.name),
        expected.largest.filter(x => x.self_size > cut).map(x => x.name));

for (const r of expected.retained) {
  const node = heap.getNodeById(r.id);
  compare(`retained size of ${r.what} (node id ${r.id}, ${node ? node.name : 'missing'})`,
          node ? node.retainedSize : null, r.retained);
  compare(`Heap::retained_size of ${r.what}`, r.heap_retained_size, r.retained);
}

console.log('\n' + rows.join('\n'));
if (failed) {
  console.error('check_snapshot: memlab and pyheap disagree');
  process.exit(1);
}
console.log('check_snapshot: memlab agrees with pyheap');
