using System.Diagnostics;
using System.Text.Json;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>verify</c>: N orders wait as Received; the portal (its own process) dispatches and verifies
/// them against the sandbox provider running in a second process, until every one is final.
/// Reports orders/s from Received to final (overall and sustained between 10% and 90% done), the
/// time until all are final, and the portal's peak memory.
/// </summary>
public static class VerifyBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var orders = options.Int("orders", 1_000_000);
        var scenarios = options.Bool("scenarios", false);
        var timeout = TimeSpan.FromMinutes(options.Int("minutes", 30));
        var root = Path.Combine(Path.GetTempPath(), $"micoportal-bench-verify-{Guid.NewGuid():N}");
        var portalData = Path.Combine(root, "portal");
        var seeded = await OrderSeeder.SeedReceivedAsync(portalData, orders, scenarios);
        Console.Error.WriteLine($"seeded {orders:N0} Received orders in {seeded.TotalSeconds:0.0} s");

        // The provider: another server process whose only job is its built-in sandbox.
        await using var provider = await PortalProcess.StartAsync(Path.Combine(root, "provider"), new Dictionary<string, string?>
        {
            ["Verification:Enabled"] = "false",
            ["Sandbox:LatencyMs"] = options.Int("latency", 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            // --callbacks false: the provider sends none, so delivery is confirmed by status queries alone.
            ["Sandbox:Faults:CallbackDropRate"] = options.Bool("callbacks", true) ? "0" : "1",
        });
        var clock = Stopwatch.StartNew();
        await using var portal = await PortalProcess.StartAsync(portalData, new Dictionary<string, string?>
        {
            ["Provider:BaseUrl"] = new Uri(provider.Root, "sandbox/provider/").ToString(),
            ["Sandbox:Enabled"] = "false",
            ["Provider:MaxConcurrentCalls"] = options.Int("concurrency", 256).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        var progress = new List<(double Seconds, long Final)>();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portalData, "micoportal.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        long final = 0;
        while (clock.Elapsed < timeout)
        {
            await Task.Delay(1000);
            final = orders - await OpenCountAsync(connection);
            progress.Add((clock.Elapsed.TotalSeconds, final));
            if (progress.Count % 10 == 0)
            {
                Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds,6:0} s  {final,10:N0} final  {portal.PeakWorkingSetBytes() / 1024 / 1024} MB peak");
            }

            if (final >= orders)
            {
                break;
            }
        }

        var allFinal = final >= orders ? clock.Elapsed.TotalSeconds : (double?)null;
        var t10 = progress.First(p => p.Final >= orders / 10).Seconds;
        var t90 = progress.FirstOrDefault(p => p.Final >= orders * 9 / 10).Seconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "verify",
            orders,
            scenarios,
            callbacks = options.Bool("callbacks", true),
            final,
            // From the portal's start (process start-up included) until the last order was final.
            secondsUntilAllFinal = allFinal is null ? (double?)null : Math.Round(allFinal.Value, 1),
            ordersPerSecond = Math.Round(final / clock.Elapsed.TotalSeconds),
            sustainedOrdersPerSecond = t90 > t10 ? Math.Round(orders * 0.8 / (t90 - t10)) : (double?)null,
            serverPeakWorkingSetMb = portal.PeakWorkingSetBytes() / 1024 / 1024,
        }));
        return final >= orders ? 0 : 1;
    }

    /// <summary>Orders not final yet, counted through the status index.</summary>
    private static async Task<long> OpenCountAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Orders WHERE Status IN ('Received', 'Submitted', 'Unknown')";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
