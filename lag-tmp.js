const { Kafka, logLevel } = require('kafkajs');
(async () => {
  const admin = new Kafka({ brokers: [process.argv[2]], logLevel: logLevel.NOTHING }).admin(); await admin.connect();
  const groups = (await admin.listGroups()).groups.map(g => g.groupId).filter(g => g.includes(process.argv[3] || ''));
  for (const groupId of groups) {
    const offs = await admin.fetchOffsets({ groupId });
    for (const t of offs) {
      const high = await admin.fetchTopicOffsets(t.topic);
      const lag = t.partitions.map(p => { const h = high.find(x => x.partition === p.partition); return Number(h.high) - Number(p.offset); });
      if (lag.some(l => l !== 0)) console.log(groupId, t.topic, 'lag', lag.join(','), 'committed', t.partitions.map(p=>p.offset).join(','));
    }
  }
  await admin.disconnect();
})();
