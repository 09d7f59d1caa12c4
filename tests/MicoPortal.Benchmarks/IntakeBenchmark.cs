using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>intake</c>: single-order <c>POST /api/v1/orders</c> from N concurrent connections for a fixed
/// time against the built server in its own process (dispatch and verification running against its
/// built-in sandbox, as in production). <c>intake-batch</c>: the same with batches of 1,000.
/// </summary>
public static class IntakeBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options, bool batch)
    {
        var connections = options.Int("connections", 64);
        var seconds = options.Int("seconds", 30);
        var batchSize = batch ? options.Int("batch", 1000) : 1;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"micoportal-bench-intake-{Guid.NewGuid():N}");
        // --deliver false measures intake alone (an intake-only instance); by default the server also
        // dispatches and verifies what it accepts, against its built-in sandbox, as a single instance does.
        var deliver = options.Bool("deliver", true);
        await using var server = await PortalProcess.StartAsync(dataDirectory, new Dictionary<string, string?>
        {
            ["Sandbox:LatencyMs"] = "20",
            ["RateLimiting:IntakePerSecond"] = "1000000",
            ["Verification:Enabled"] = deliver ? "true" : "false",
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = server.Root };
        http.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");

        var latencies = new List<double>[connections];
        var errors = 0L;
        var orders = 0L;
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var serverCpu0 = server.CpuTime();
        var loadCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            var n = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var started = Stopwatch.GetTimestamp();
                HttpResponseMessage response;
                if (batch)
                {
                    var body = new { orders = Enumerable.Range(0, batchSize).Select(i => Order(worker, n++)).ToArray() };
                    response = await http.PostAsJsonAsync("api/v1/orders/batch", body);
                }
                else
                {
                    response = await http.PostAsJsonAsync("api/v1/orders", Order(worker, n++));
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref orders, batchSize);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }

                response.Dispose();
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var serverCores = (server.CpuTime() - serverCpu0).TotalSeconds / elapsed;
        var loadCores = (Process.GetCurrentProcess().TotalProcessorTime - loadCpu0).TotalSeconds / elapsed;
        var all = latencies.SelectMany(l => l).Order().ToList();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = batch ? "intake-batch" : "intake",
            connections,
            seconds,
            batchSize,
            ordersPerSecond = Math.Round(orders / elapsed),
            requests = all.Count,
            p50Ms = Math.Round(all[all.Count / 2], 1),
            p99Ms = Math.Round(all[(int)(all.Count * 0.99)], 1),
            errors,
            serverPeakWorkingSetMb = server.PeakWorkingSetBytes() / 1024 / 1024,
            deliver,
            // Cores busy on average: the server, and this load generator on the same machine.
            serverCores = Math.Round(serverCores, 2),
            loadGeneratorCores = Math.Round(loadCores, 2),
        }));
        return 0;
    }

    private static object Order(int worker, int n) => new
    {
        externalId = $"bench-{worker}-{n}-{Guid.NewGuid():N}",
        micoUserId = (10_000_000 + (n % 80)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "10",
        region = "GLOBAL",
        sku = "MICO-COINS-500",
        coins = 500,
        amount = "4.99",
        currency = "USD",
    };
}
