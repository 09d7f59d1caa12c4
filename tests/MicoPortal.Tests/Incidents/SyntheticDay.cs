using MicoPortal.Server.Incidents;
using MicoPortal.Server.Metrics;

namespace MicoPortal.Tests.Incidents;

/// <summary>
/// A day of traffic for six slices, minute by minute in ticks of a few seconds: volume with a day shape
/// (quiet at 04:00, busiest at 16:00), about 1 % failures, log-normal latency that is slower at peak,
/// a few orders in Unknown and now and then a stuck one. Faults are injected per slice and time range.
/// </summary>
internal sealed class SyntheticDay(int seed)
{
    public static readonly DateTimeOffset Midnight = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    public static readonly SliceKey[] Slices =
    [
        new("coins-100", "GLOBAL"), new("coins-100", "MENA"),
        new("coins-500", "GLOBAL"), new("coins-500", "MENA"),
        new("coins-1000", "GLOBAL"), new("coins-1000", "MENA"),
    ];

    private readonly Random _random = new(seed);

    /// <summary>Orders a minute per slice at the day's peak; a quarter of that at night.</summary>
    public double PeakPerMinute { get; init; } = 60;

    public List<Fault> Faults { get; } = [];

    /// <summary>Runs the day through <paramref name="detector"/>, evaluating every <paramref name="tick"/>; returns what opened and when.</summary>
    public List<Opened> Replay(AnomalyDetector detector, TimeSpan tick)
    {
        var opened = new List<Opened>();
        var active = new HashSet<SeriesKey>();
        var minutes = new Dictionary<SliceKey, (long Delivered, long Failed, LatencyHistogram Latency)>();
        for (var now = Midnight; now < Midnight.AddDays(1); now += tick)
        {
            var minute = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            var open = new Dictionary<SliceKey, OpenCounts>();
            foreach (var slice in Slices)
            {
                if (now == minute)
                {
                    minutes[slice] = (0, 0, new LatencyHistogram());
                }

                var (delivered, failed, latency) = minutes[slice];
                var load = Load(now);
                var orders = Poisson(PeakPerMinute * load * tick.TotalMinutes);
                var failureRate = Faults.Where(f => f.Covers(slice, now)).Select(f => f.FailureRate).DefaultIfEmpty(0.01).Max();
                var slowdown = Faults.Where(f => f.Covers(slice, now)).Select(f => f.LatencyFactor).DefaultIfEmpty(1).Max();
                for (var i = 0; i < orders; i++)
                {
                    if (_random.NextDouble() < failureRate)
                    {
                        failed++;
                    }
                    else
                    {
                        delivered++;
                        // Median 800 ms, 30 % slower at peak; p95 about 1.8 s in quiet hours.
                        var median = 800 * (1 + 0.3 * load) * slowdown;
                        latency.Add((long)(median * Math.Exp(0.5 * Gaussian())));
                    }
                }

                minutes[slice] = (delivered, failed, latency);
                detector.Record(minute, slice, delivered, failed, latency);
                open[slice] = new OpenCounts(Poisson(3 * load), _random.NextDouble() < 0.05 ? 1 : 0);
            }

            var now2 = now;
            foreach (var anomaly in detector.Evaluate(now, open))
            {
                if (active.Add(anomaly.Series))
                {
                    opened.Add(new Opened(anomaly.Series, now2, anomaly));
                }
            }

            active.IntersectWith(detector.Active.Select(a => a.Series));
        }

        return opened;
    }

    /// <summary>0.25 at 04:00 to 1.0 at 16:00.</summary>
    private static double Load(DateTimeOffset t)
    {
        var hours = (t - Midnight).TotalHours;
        return 0.25 + 0.75 * (1 - Math.Cos(2 * Math.PI * (hours - 4) / 24)) / 2;
    }

    private int Poisson(double mean)
    {
        // Knuth's method is fine for the small means of a few seconds of traffic.
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = _random.NextDouble(); p > limit; p *= _random.NextDouble())
        {
            k++;
        }

        return k;
    }

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    internal sealed record Fault(SliceKey Slice, TimeSpan From, TimeSpan To, double FailureRate = 0, double LatencyFactor = 1)
    {
        public bool Covers(SliceKey slice, DateTimeOffset now) => slice == Slice && now >= Midnight + From && now < Midnight + To;
    }

    internal sealed record Opened(SeriesKey Series, DateTimeOffset At, Anomaly Anomaly);
}
