import { hyp2f1 } from './hypergeometric-2f1';
import { logGamma } from './special-functions';
it('prof', () => {
  for (const [a,b,c,z] of [[1.8,1,4.7,0.3],[1.8,1,4.7,0.8],[1.8,1,4.7,0.95],[2.9,1,5.7,0.99]]) {
    let t0 = process.hrtime.bigint(); let s=0;
    for (let i=0;i<100000;i++) s+=hyp2f1(a,b,c+i*1e-9,z);
    console.log(a,b,c,z, Number(process.hrtime.bigint()-t0)/1e5, 'ns/call');
  }
  let t0 = process.hrtime.bigint(); let s=0;
  for (let i=0;i<100000;i++) s+=logGamma(2.5+i*1e-6);
  console.log('gammaln', Number(process.hrtime.bigint()-t0)/1e5, 'ns/call');
});
