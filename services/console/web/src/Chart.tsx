import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const colours = ['#1f5fa8', '#c0392b', '#2e7d32', '#8e44ad', '#b9770e', '#117a8b'];

/** A bar chart (Chart.js, only the parts it needs registered, to keep the bundle small). */
export function BarChart({ labels, series, label }: { labels: string[]; series: Array<{ label: string; data: number[] }>; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: series.map((s, i) => ({ ...s, backgroundColor: colours[i % colours.length] })) },
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

/** A line chart over time; null values leave a gap (not sampled then). */
export function LineChart({
  labels,
  series,
  label,
}: {
  labels: string[];
  series: Array<{ label: string; data: Array<number | null> }>;
  label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels,
        datasets: series.map((s, i) => ({
          ...s,
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length],
          pointRadius: 1,
          spanGaps: false,
        })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
    return () => chart.destroy();
  }, [labels, series]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
