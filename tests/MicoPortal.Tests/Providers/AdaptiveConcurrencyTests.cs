using MicoPortal.Server.Providers;

namespace MicoPortal.Tests.Providers;

/// <summary>The AIMD limit on made-up samples: no clock, no network.</summary>
public class AdaptiveConcurrencyTests
{
    /// <summary>Feeds <paramref name="rounds"/> round trips of answered calls, each with the limit fully in flight.</summary>
    private static long RoundTrips(AdaptiveConcurrency limit, int rounds, double latencyMs, long nowMs, CallOutcome outcome = CallOutcome.Answered)
    {
        for (var r = 0; r < rounds; r++)
        {
            var calls = limit.Limit;
            for (var i = 0; i < calls; i++)
            {
                limit.Record(outcome, latencyMs, calls, nowMs);
            }

            nowMs += (long)latencyMs;
        }

        return nowMs;
    }

    [Fact]
    public void Slow_start_doubles_per_round_trip_so_a_slow_provider_reaches_thousands_in_flight_within_seconds()
    {
        var limit = new AdaptiveConcurrency(initial: 32, min: 4, max: 4096);

        RoundTrips(limit, rounds: 7, latencyMs: 1000, nowMs: 0);

        // 32 · 2^7 = 4096: seven one-second round trips, not the minutes +1 per round trip would take.
        Assert.Equal(4096, limit.Limit);
    }

    [Fact]
    public void The_limit_does_not_grow_while_it_is_not_used()
    {
        var limit = new AdaptiveConcurrency(initial: 100, min: 4, max: 4096);

        for (var i = 0; i < 1_000; i++)
        {
            limit.Record(CallOutcome.Answered, 150, inFlight: 10, nowMs: i);
        }

        Assert.Equal(100, limit.Limit);
    }

    [Fact]
    public void The_limit_stops_growing_when_latency_climbs_above_twice_its_long_term_average()
    {
        var limit = new AdaptiveConcurrency(initial: 64, min: 4, max: 1_000_000);
        var now = RoundTrips(limit, rounds: 6, latencyMs: 150, nowMs: 0);
        var before = limit.Limit;
        Assert.Equal(64 << 6, before);

        // The provider starts queueing: every call takes ten times as long, for ten round trips.
        RoundTrips(limit, rounds: 10, latencyMs: 1500, nowMs: now);

        Assert.True(limit.Limit < before * 1.1, $"grew from {before} to {limit.Limit} while latency rose tenfold");
    }

    [Fact]
    public void In_slow_start_a_429_cuts_at_once_and_once_however_many_arrive_together()
    {
        var limit = new AdaptiveConcurrency(initial: 1000, min: 4, max: 4096);
        RoundTrips(limit, rounds: 1, latencyMs: 150, nowMs: 0);
        var before = limit.Limit;

        for (var i = 0; i < 500; i++)
        {
            limit.Record(CallOutcome.Refused, 5, inFlight: before, nowMs: 1_000);
        }

        Assert.Equal((int)(before * AdaptiveConcurrency.Backoff), limit.Limit);
        Assert.Equal(1, limit.Decreases);
    }

    [Fact]
    public void After_slow_start_refusals_cut_when_they_are_more_than_two_percent_of_a_second()
    {
        var limit = new AdaptiveConcurrency(initial: 1000, min: 4, max: 4096);
        limit.Record(CallOutcome.Refused, 5, inFlight: 1000, nowMs: 0);
        Assert.Equal(700, limit.Limit);

        // A provider that refuses the odd order (1 in 100) is not overloaded.
        long now = 1;
        for (var i = 0; i < 5_000; i++, now++)
        {
            limit.Record(i % 100 == 0 ? CallOutcome.Refused : CallOutcome.Answered, 150, 700, now);
        }

        Assert.Equal(1, limit.Decreases);

        // One in ten refused for a second: cut.
        for (var i = 0; i < 1_000; i++, now++)
        {
            limit.Record(i % 10 == 0 ? CallOutcome.Refused : CallOutcome.Answered, 150, 700, now);
        }

        limit.Record(CallOutcome.Answered, 150, 700, now + 1_000);
        Assert.Equal(2, limit.Decreases);
    }

    [Fact]
    public void After_a_cut_the_limit_grows_five_percent_a_second_at_any_latency()
    {
        foreach (var latency in new[] { 20.0, 150.0, 1000.0 })
        {
            var limit = new AdaptiveConcurrency(initial: 1000, min: 4, max: 4096);
            limit.Record(CallOutcome.Refused, 5, inFlight: 1000, nowMs: 0);
            Assert.Equal(700, limit.Limit);

            // Ten seconds of round trips with the limit in flight.
            RoundTrips(limit, rounds: (int)(10_000 / latency), latencyMs: latency, nowMs: 1_000);

            // About 5% a second of use, compounded over ten or eleven seconds (whether the second between the cut
            // and the first round trip counts depends on when the first answer lands): 700 · 1.05^10 ≈ 1,140 to
            // 700 · e^(0.05 · 11) ≈ 1,210.
            Assert.InRange(limit.Limit, 1_080, 1_270);
        }
    }

    [Fact]
    public void Five_percent_of_calls_timing_out_is_not_congestion_but_a_wave_of_timeouts_is()
    {
        var limit = new AdaptiveConcurrency(initial: 1000, min: 4, max: 1000);
        var random = new Random(7);
        long now = 0;
        // A minute of calls, each hanging until its timeout with a chance of one in twenty.
        for (var i = 0; i < 60_000; i++)
        {
            limit.Record(random.NextDouble() < 0.05 ? CallOutcome.Failed : CallOutcome.Answered, 150, 1000, now);
            now += 1;
        }

        Assert.Equal(1000, limit.Limit);
        Assert.Equal(0, limit.Decreases);

        // For a second, half of the calls time out: the provider is in trouble.
        for (var i = 0; i < 1_000; i++)
        {
            limit.Record(i % 2 == 0 ? CallOutcome.Failed : CallOutcome.Answered, 150, 1000, now);
            now += 1;
        }

        limit.Record(CallOutcome.Answered, 150, 1000, now + 1_000);
        Assert.Equal(700, limit.Limit);
    }

    [Fact]
    public void The_limit_never_leaves_its_floor_and_ceiling()
    {
        var limit = new AdaptiveConcurrency(initial: 10, min: 4, max: 64);
        long now = 0;
        for (var second = 0; second < 20; second++)
        {
            for (var i = 0; i < 100; i++, now += 10)
            {
                limit.Record(CallOutcome.Refused, 5, 10, now);
            }
        }

        Assert.Equal(4, limit.Limit);

        var grow = new AdaptiveConcurrency(initial: 10, min: 4, max: 64);
        RoundTrips(grow, rounds: 20, latencyMs: 20, nowMs: 0);
        Assert.Equal(64, grow.Limit);
    }

    /// <summary>
    /// Seconds against a provider at <paramref name="latencyMs"/> that refuses calls above <paramref name="capPerSecond"/> (0: no cap) and,
    /// at any load, refuses <paramref name="refusedShare"/> and fails <paramref name="failedShare"/> of calls.
    /// Returns the limit at each second and the calls refused for the cap.
    /// </summary>
    private static (List<int> LimitPerSecond, long Calls, long CapRefusals) Simulate(
        AdaptiveConcurrency limit, int seconds, int capPerSecond, double refusedShare, double failedShare, int seed = 11, int latencyMs = 20)
    {
        var random = new Random(seed);
        var perSecond = new List<int>();
        long calls = 0, capRefusals = 0, now = 0;
        var capPerRoundTrip = capPerSecond * latencyMs / 1000.0;
        while (now < seconds * 1000L)
        {
            var n = limit.Limit;
            for (var i = 0; i < n; i++)
            {
                calls++;
                var roll = random.NextDouble();
                CallOutcome outcome;
                if (capPerSecond > 0 && i >= capPerRoundTrip)
                {
                    capRefusals++;
                    outcome = CallOutcome.Refused;
                }
                else
                {
                    outcome = roll < refusedShare ? CallOutcome.Refused : roll < refusedShare + failedShare ? CallOutcome.Failed : CallOutcome.Answered;
                }

                limit.Record(outcome, latencyMs, n, now + i * latencyMs / n);
            }

            now += latencyMs;
            if (now % 1000 < latencyMs)
            {
                perSecond.Add(limit.Limit);
            }
        }

        return (perSecond, calls, capRefusals);
    }

    [Fact]
    public void A_provider_that_refuses_and_fails_a_share_of_calls_at_any_load_is_not_held_at_the_floor()
    {
        // The chaos test's provider: 5% rate-limited, 5% in maintenance, about a fifth timing out or failing.
        var limit = new AdaptiveConcurrency(initial: 32, min: 4, max: 4096);

        var (perSecond, _, _) = Simulate(limit, seconds: 60, capPerSecond: 0, refusedShare: 0.10, failedShare: 0.20);

        Assert.True(limit.Undone >= 1, "a cut that did not lower the share should be undone");
        Assert.InRange(limit.RefusalBackground, 0.07, 0.13);
        // Once the background is learned the limit grows as after any cut, about 5% a second, and is not cut again.
        var learned = perSecond.Skip(10).ToList();
        Assert.True(learned.Zip(learned.Skip(1)).All(p => p.Second >= p.First) && perSecond[^1] >= 100,
            $"the limit should keep growing, not sit near its floor: {string.Join(", ", perSecond)}");
    }

    [Fact]
    public void A_provider_capping_calls_per_second_holds_the_limit_near_the_cap_with_few_refusals()
    {
        foreach (var background in new[] { 0.0, 0.05 })
        {
            // 2,000 calls a second at 20 ms is 40 calls in flight.
            var limit = new AdaptiveConcurrency(initial: 32, min: 4, max: 4096);

            var (perSecond, calls, capRefusals) = Simulate(limit, seconds: 120, capPerSecond: 2_000, refusedShare: background, failedShare: 0);

            var settled = perSecond.Skip(60).ToList();
            Assert.True(settled.Average() is >= 28 and <= 44, $"background {background}: limit per second {string.Join(", ", settled)}");
            Assert.True((double)capRefusals / calls < 0.03, $"background {background}: {capRefusals} of {calls} calls refused for the cap; learned {limit.RefusalBackground:0.000}, undone {limit.Undone}, cuts {limit.Decreases}; limits {string.Join(", ", perSecond)}");
        }
    }

    [Fact]
    public void A_slow_provider_with_a_low_cap_is_not_taken_for_background_while_the_limit_waits_for_a_verdict()
    {
        // 1 s per call and 10 calls a second allowed: 10 in flight. Few calls a second, so a verdict on a cut
        // takes seconds; the limit must not grow back meanwhile and have the cap's refusals taken for background.
        var limit = new AdaptiveConcurrency(initial: 32, min: 4, max: 4096);

        var (perSecond, calls, capRefusals) = Simulate(limit, seconds: 600, capPerSecond: 10, refusedShare: 0, failedShare: 0, latencyMs: 1000);

        var settled = perSecond.Skip(300).ToList();
        Assert.True(limit.RefusalBackground < 0.02, $"learned {limit.RefusalBackground:0.000} of the cap's refusals as background; undone {limit.Undone}");
        Assert.True(settled.Average() is >= 6 and <= 13, $"limit per second {string.Join(", ", settled)}");
        Assert.True((double)capRefusals / calls < 0.1, $"{capRefusals} of {calls} calls refused for the cap");
    }
}
