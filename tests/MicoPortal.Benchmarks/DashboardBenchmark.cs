using System.Diagnostics;
using System.Text.Json;

using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>dashboard</c>: with N orders stored, how fast do the summary and the first orders page answer?
/// Measured over HTTP against the built server in its own process, signed in as an operator.
/// </summary>
public static class DashboardBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var orders = options.Int("orders", 1_000_000);
        var requests = options.Int("requests", 200);
        var dataDirectory = options.String("data") ?? Path.Combine(Path.GetTempPath(), $"micoportal-bench-dashboard-{orders}");
        TimeSpan seeded = TimeSpan.Zero;
        if (!File.Exists(Path.Combine(dataDirectory, "micoportal.db")))
        {
            seeded = await OrderSeeder.SeedAsync(dataDirectory, orders);
        }

        // --verify false: a dashboard-only instance (another one dispatches and verifies); by default this one
        // also works off the seeded backlog of open orders on the same cores while it is measured.
        var verify = options.Bool("verify", true);
        await using var server = await PortalProcess.StartAsync(dataDirectory, new Dictionary<string, string?> { ["Verification:Enabled"] = verify ? "true" : "false" });
        using var client = await server.AdminClientAsync();
        var summary = await MeasureAsync(client, "api/v1/metrics/summary?window=15m", requests, bypassCache: true);
        var firstPage = await MeasureAsync(client, "api/v1/orders?page=1&pageSize=50", requests);
        // As the failed deliveries page asks: newest change first.
        var attention = await MeasureAsync(client, "api/v1/orders?attention=true&sort=updatedAt&desc=true&page=1&pageSize=50", requests);
        var search = await MeasureAsync(client, $"api/v1/orders?q={10_000_000 + orders / 2}", requests);

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "dashboard",
            orders,
            requests,
            verify,
            seedSeconds = Math.Round(seeded.TotalSeconds, 1),
            summaryMs = summary,
            firstPageMs = firstPage,
            attentionPageMs = attention,
            searchMs = search,
        }));
        return 0;
    }

    /// <summary>Sequential requests (after 5 warm-ups); p50/p95/max in ms.</summary>
    private static async Task<object> MeasureAsync(HttpClient client, string path, int requests, bool bypassCache = false)
    {
        for (var i = 0; i < 5; i++)
        {
            (await client.GetAsync(path)).EnsureSuccessStatusCode();
        }

        var samples = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            if (bypassCache)
            {
                await Task.Delay(1010); // the summary is cached for a second; measure the real computation
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }

        samples.Sort();
        return new
        {
            p50 = Math.Round(samples[samples.Count / 2], 1),
            p95 = Math.Round(samples[(int)(samples.Count * 0.95)], 1),
            max = Math.Round(samples[^1], 1),
        };
    }
}
