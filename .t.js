const { MongoClient } = require('mongodb');
const crypto = require('crypto');
(async () => {
  for (const url of ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27018']) {
    const c = await MongoClient.connect(url);
    const coll = c.db('tmp_speed3').collection('docs');
    await coll.drop().catch(()=>{});
    const ids = []; const docs = [];
    for (let i=0;i<3000;i++){ const id = crypto.randomUUID(); ids.push(id); docs.push({_id:id, version:1, stateJson:'x'.repeat(1400), outbox:[], attribution:{}, n:i}); }
    let t = Date.now();
    for (let i=0;i<docs.length;i+=500) await coll.insertMany(docs.slice(i,i+500));
    const ins = Date.now()-t;
    const out = [url, 'insert 3000', ins];
    for (const n of [1, 30, 200]) {
      const pick = ids.slice(1000, 1000+n);
      t = Date.now();
      for (let i=0;i<10;i++) await coll.find({_id:{$in:pick}}).toArray();
      out.push(`find${n}`, (Date.now()-t)/10);
    }
    t = Date.now();
    for (let i=0;i<20;i++) await coll.findOne({_id: ids[i]});
    out.push('findOne', (Date.now()-t)/20);
    t = Date.now();
    await coll.bulkWrite(ids.slice(0,50).map(id => ({replaceOne:{filter:{_id:id, version:1}, replacement:{version:2, stateJson:'y'.repeat(1400), outbox:[], attribution:{}}}})), {ordered:false});
    out.push('bulk50', Date.now()-t);
    t = Date.now();
    for (let i=0;i<20;i++) await coll.updateOne({_id: ids[100+i], version:1}, {$set:{version:2}});
    out.push('updateOne', (Date.now()-t)/20);
    console.log(out.join(' '));
    await c.db('tmp_speed3').dropDatabase();
    await c.close();
  }
})();
