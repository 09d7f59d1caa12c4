using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>verify</c>: N orders wait as Received; the portal (its own process) dispatches and verifies
/// them against the sandbox provider running in a second process, until every one is final.
/// Reports orders/s from Received to final (overall and sustained between 10% and 90% done), the
/// time until all are final, the portal's peak memory, CPU per order of both processes, dispatch delay
/// (Received to create sent) and confirmation delay (the provider's SUCCESS to Delivered).
/// <para>
/// Knobs: <c>--latency</c> ms per provider call; <c>--hang-rate</c> share of creates the provider stores
/// and never answers (the portal's create times out); <c>--provider-rps</c> the provider answers 429
/// above that many calls a second (the 429s are counted per second and printed as a curve);
/// <c>--max-rps</c> the portal's own <c>Provider:MaxRequestsPerSecond</c>.
/// </para>
/// </summary>
public static class VerifyBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        // --rate R --seconds S: open loop, R new orders a second through the shop API for S seconds
        // (instead of a seeded backlog), for the dispatch and confirmation delays at a given load.
        var rate = options.Int("rate", 0);
        // --warmup W (open loop only): the first W seconds of the feed are not counted in the steady-state delays
        // (process start-up, the JIT, the limit's slow start); the whole run's delays are reported beside them.
        var warmup = rate > 0 ? options.Int("warmup", 0) : 0;
        var orders = rate > 0 ? rate * (warmup + options.Int("seconds", 60)) : options.Int("orders", 1_000_000);
        var scenarios = options.Bool("scenarios", false);
        var timeout = TimeSpan.FromMinutes(options.Int("minutes", 30));
        var root = Path.Combine(Path.GetTempPath(), $"micoportal-bench-verify-{Guid.NewGuid():N}");
        var portalData = Path.Combine(root, "portal");
        var seeded = await OrderSeeder.SeedReceivedAsync(portalData, rate > 0 ? 0 : orders, scenarios);
        Console.Error.WriteLine($"seeded {orders:N0} Received orders in {seeded.TotalSeconds:0.0} s");

        // The provider: another server process whose only job is its built-in sandbox.
        var hangRate = options.String("hang-rate") ?? "0";
        await using var provider = await PortalProcess.StartAsync(Path.Combine(root, "provider"), new Dictionary<string, string?>
        {
            ["Verification:Enabled"] = "false",
            ["Sandbox:LatencyMs"] = Text(options.Int("latency", 20)),
            // --callbacks false: the provider sends none, so delivery is confirmed by status queries alone.
            ["Sandbox:Faults:CallbackDropRate"] = options.Bool("callbacks", true) ? "0" : "1",
            // --hang-rate: stored, then never answered; the portal's create runs into its timeout.
            ["Sandbox:Faults:TimeoutAfterCommitRate"] = hangRate,
            ["Sandbox:DropMode"] = "Hang",
            ["Sandbox:MaxRequestsPerSecond"] = Text(options.Int("provider-rps", 0)),
        });
        var portalSettings = new Dictionary<string, string?>
        {
            ["Provider:BaseUrl"] = new Uri(provider.Root, "sandbox/provider/").ToString(),
            ["Sandbox:Enabled"] = "false",
            ["Provider:MaxRequestsPerSecond"] = Text(options.Int("max-rps", 0)),
        };
        if (options.String("concurrency") is { } ceiling)
        {
            portalSettings["Provider:MaxConcurrentCalls"] = ceiling;
        }

        var clock = Stopwatch.StartNew();
        await using var portal = await PortalProcess.StartAsync(portalData, portalSettings);
        var cpuBefore = portal.CpuTime() + provider.CpuTime();
        using var stats = new HttpClient { BaseAddress = provider.Root };
        stats.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "dev-provider-key");
        using var admin = await portal.AdminClientAsync();
        var refusedPerSecond = new List<long>();
        long refusedBefore = 0;

        var feeding = rate > 0 ? FeedAsync(portal, rate, orders) : Task.CompletedTask;
        var progress = new List<(double Seconds, long Final)>();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portalData, "micoportal.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        long final = 0;
        while (clock.Elapsed < timeout)
        {
            await Task.Delay(1000);
            final = await FinalCountAsync(connection);
            progress.Add((clock.Elapsed.TotalSeconds, final));
            var refused = await RefusedAsync(stats);
            refusedPerSecond.Add(refused - refusedBefore);
            refusedBefore = refused;
            if (progress.Count % 5 == 0)
            {
                Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds,6:0} s  {final,10:N0} final  {portal.PeakWorkingSetBytes() / 1024 / 1024} MB peak  {await PipelineAsync(admin)}");
            }

            if (final >= orders)
            {
                break;
            }
        }

        await feeding;
        var allFinal = final >= orders ? clock.Elapsed.TotalSeconds : (double?)null;
        var cpu = portal.CpuTime() + provider.CpuTime() - cpuBefore;
        var metrics = await admin.GetStringAsync("metrics");
        var delays = await DelaysAsync(connection, 0);
        var steady = warmup > 0 ? await DelaysAsync(connection, warmup) : default;
        var t10 = progress.First(p => p.Final >= orders / 10).Seconds;
        var t90 = progress.FirstOrDefault(p => p.Final >= orders * 9 / 10).Seconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "verify",
            orders,
            rate,
            scenarios,
            callbacks = options.Bool("callbacks", true),
            final,
            // From the portal's start (process start-up included) until the last order was final.
            secondsUntilAllFinal = allFinal is null ? (double?)null : Math.Round(allFinal.Value, 1),
            ordersPerSecond = Math.Round(final / clock.Elapsed.TotalSeconds),
            sustainedOrdersPerSecond = t90 > t10 ? Math.Round(orders * 0.8 / (t90 - t10)) : (double?)null,
            serverPeakWorkingSetMb = portal.PeakWorkingSetBytes() / 1024 / 1024,
            serverGcPauseSeconds = Math.Round(PrometheusText.Sum(metrics, PrometheusText.GcPauseTime), 2),
            serverGen2Collections = (long)PrometheusText.Sum(metrics, PrometheusText.GcCollections, PrometheusText.Gen2),
            // Both processes (portal and provider), from the portal's start to the end of the run.
            cpuMsPerOrder = Math.Round(cpu.TotalMilliseconds / Math.Max(1, final), 3),
            dispatchDelayMs = delays.Dispatch,
            confirmationDelayMs = delays.Confirmation,
            warmupSeconds = warmup,
            steadyDispatchDelayMs = steady.Dispatch,
            steadyConfirmationDelayMs = steady.Confirmation,
            hangRate,
            providerRps = options.Int("provider-rps", 0),
            refused429Total = refusedBefore,
            // 429s the provider answered in each second of the run (the curve of how the portal settles).
            refused429PerSecond = options.Int("provider-rps", 0) > 0 ? refusedPerSecond : null,
        }));
        return final >= orders ? 0 : 1;
    }

    /// <summary>The portal's own view of its provider pipeline (in flight, limit, latency), for the progress line.</summary>
    private static async Task<string> PipelineAsync(HttpClient admin)
    {
        try
        {
            using var doc = JsonDocument.Parse(await admin.GetStringAsync("api/v1/metrics/summary?window=1m"));
            return doc.RootElement.TryGetProperty("pipeline", out var pipeline) ? pipeline.ToString() : "";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>429s the provider has answered so far (its rate cap and the random fault), from its stats.</summary>
    private static async Task<long> RefusedAsync(HttpClient stats)
    {
        try
        {
            using var doc = JsonDocument.Parse(await stats.GetStringAsync("sandbox/admin/stats"));
            return doc.RootElement.GetProperty("faultsInjected").EnumerateObject()
                .Where(p => p.Name is "RateCap" or "RateLimit").Sum(p => p.Value.GetInt64());
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>
    /// p50/p99 of the dispatch delay (Received to the create's claim, which is when it is sent) and the
    /// confirmation delay (the provider's own SUCCESS time in its proof to Delivered), from the portal's rows.
    /// For a seeded backlog the dispatch delay is mostly time spent queueing; the open-loop figures come from
    /// <c>--rate</c> runs. Orders received in the first <paramref name="skipSeconds"/> of the run are left out.
    /// </summary>
    private static async Task<(object? Dispatch, object? Confirmation)> DelaysAsync(SqliteConnection connection, int skipSeconds)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT CreateIssuedAt - ReceivedAt, CompletedAt - DeliveredAt FROM Orders WHERE Status = 'Delivered' AND CreateIssuedAt IS NOT NULL AND DeliveredAt IS NOT NULL"
            + " AND ReceivedAt >= (SELECT MIN(ReceivedAt) FROM Orders) + $skip";
        command.Parameters.AddWithValue("$skip", skipSeconds * 1000L);
        var dispatch = new List<long>();
        var confirmation = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            dispatch.Add(reader.GetInt64(0));
            confirmation.Add(reader.GetInt64(1));
        }

        return (Percentiles(dispatch), Percentiles(confirmation));

        static object Percentiles(List<long> values)
        {
            values.Sort();
            long At(double p) => values.Count == 0 ? 0 : values[Math.Min(values.Count - 1, (int)(p * values.Count))];
            return new { p50 = At(0.50), p99 = At(0.99), max = values.Count == 0 ? 0 : values[^1] };
        }
    }

    /// <summary>Posts <paramref name="rate"/> orders a second (a batch every 100 ms) until <paramref name="total"/> are in.</summary>
    private static async Task FeedAsync(PortalProcess portal, int rate, int total)
    {
        using var shop = new HttpClient { BaseAddress = portal.Root };
        shop.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        var perTick = Math.Max(1, rate / 10);
        var started = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < total; sent += perTick)
        {
            var tick = sent / perTick;
            var due = TimeSpan.FromMilliseconds(tick * 100) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            var body = new
            {
                orders = Enumerable.Range(sent, Math.Min(perTick, total - sent)).Select(n => new
                {
                    externalId = $"rate-{n}",
                    micoUserId = (10_000_000 + n % 80_000).ToString(System.Globalization.CultureInfo.InvariantCulture) + "10",
                    region = "GLOBAL",
                    sku = "MICO-COINS-500",
                    coins = 500,
                    amount = "4.99",
                    currency = "USD",
                }).ToArray(),
            };
            using var response = await shop.PostAsJsonAsync("api/v1/orders/batch", body);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Orders final now, counted through the status index.</summary>
    private static async Task<long> FinalCountAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Orders WHERE Status IN ('Delivered', 'Failed', 'Reversed')";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
