import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** A bar chart (Chart.js, only the parts it needs registered, to keep the bundle small). */
export function BarChart({ labels, series, label }: { labels: string[]; series: Array<{ label: string; data: number[] }>; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: series.map((s, i) => ({ ...s, backgroundColor: ['#1f5fa8', '#c0392b', '#2e7d32'][i % 3] })) },
      options: { responsive: true, maintainAspectRatio: false, animation: false },
    });
    return () => chart.destroy();
  }, [labels, series]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
