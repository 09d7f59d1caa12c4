using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>soak</c>: the built server in its own process, fed a steady order rate for a long time with
/// the built-in sandbox answering with random faults, sampled every 30 s: server memory, orders
/// stored, final, open and stuck. Memory should be flat once the backlog is steady; the second
/// half's slope says whether it is.
/// </summary>
public static class SoakBenchmark
{
    private sealed record Sample(double AtSeconds, double WorkingSetMb, double PrivateMb, double GcHeapMb, double AfterFullGcMb, long Gen2Collections, long SandboxRemembered, long SandboxUnsettled, long Orders, long Final, long Open, long Stuck, long Posted, long Errors);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var minutes = options.Int("minutes", 10);
        var rate = options.Int("rate", 1000);
        var sampleSeconds = options.Int("sample", 30);
        var faultRate = (options.Int("fault-permille", 10) / 1000.0).ToString(CultureInfo.InvariantCulture);
        const int batchSize = 100;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"micoportal-bench-soak-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?>
        {
            ["RateLimiting:IntakePerSecond"] = "1000000",
            ["Sandbox:LatencyMs"] = "20",
            ["Sandbox:LatencyJitterMs"] = "20",
            // The sandbox forgets settled orders after this (default a day); it lives in the server's process
            // here, so its memory would otherwise be counted as the portal's.
            ["Sandbox:RetentionMinutes"] = "3",
            ["Sandbox:Faults:TimeoutBeforeCommitRate"] = faultRate,
            ["Sandbox:Faults:TimeoutAfterCommitRate"] = faultRate,
            ["Sandbox:Faults:ServerErrorRate"] = faultRate,
            ["Sandbox:Faults:RateLimitRate"] = faultRate,
            ["Sandbox:Faults:MalformedRate"] = faultRate,
            ["Sandbox:Faults:MaintenanceRate"] = faultRate,
            ["Sandbox:Faults:SlowRate"] = faultRate,
            ["Sandbox:Faults:SlowDelayMs"] = "1500",
            ["Sandbox:Faults:CallbackDropRate"] = faultRate,
            ["Sandbox:Faults:CallbackDuplicateRate"] = faultRate,
            ["Sandbox:Faults:CallbackReorderRate"] = faultRate,
            ["Provider:CreateTimeout"] = "00:00:02",
            ["Provider:QueryTimeout"] = "00:00:02",
            // Within the sandbox's memory of an order, so a settlement check never asks about a forgotten one.
            ["Verification:SettlementCheckAfter"] = "00:00:30",
            // The SLA is 15 minutes; a 10-minute run would never flag anything, so "stuck" here means
            // "not final 2 minutes after it was received": a backlog the pipeline does not work off shows.
            ["Verification:StuckAfter"] = "00:02:00",
        };
        foreach (var (key, value) in settings.Where(s => options.String(s.Key) is not null).ToList())
        {
            settings[key] = options.String(key);
        }

        await using var server = await PortalProcess.StartAsync(dataDirectory, settings);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = server.Root, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        var database = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "micoportal.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString();

        var posted = 0L;
        var errors = 0L;
        var inFlight = new List<Task>();
        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(minutes);
        var nextSample = TimeSpan.Zero;
        var batchNo = 0L;
        // Open loop: a batch every batchSize/rate seconds, whether or not the previous one has been answered,
        // so a slow server shows up as a growing backlog and errors, not as a politely lower rate.
        var interval = TimeSpan.FromSeconds((double)batchSize / rate);
        while (clock.Elapsed < duration)
        {
            if (clock.Elapsed >= nextSample)
            {
                samples.Add(await SampleAsync(server, http, database, clock.Elapsed, Interlocked.Read(ref posted), Interlocked.Read(ref errors)));
                Console.Error.WriteLine(JsonSerializer.Serialize(samples[^1]));
                nextSample += TimeSpan.FromSeconds(sampleSeconds);
            }

            var n = batchNo++;
            inFlight.Add(PostBatchAsync(http, n, batchSize, () => Interlocked.Add(ref posted, batchSize), () => Interlocked.Increment(ref errors)));
            inFlight.RemoveAll(t => t.IsCompleted);
            var due = interval * batchNo;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        await Task.WhenAll(inFlight);
        samples.Add(await SampleAsync(server, http, database, clock.Elapsed, posted, errors));
        Console.Error.WriteLine(JsonSerializer.Serialize(samples[^1]));

        var secondHalf = samples.Where(s => s.AtSeconds >= duration.TotalSeconds / 2).ToList();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "soak",
            minutes,
            targetOrdersPerSecond = rate,
            faultRate = double.Parse(faultRate, CultureInfo.InvariantCulture),
            posted,
            errors,
            postedPerSecond = Math.Round(posted / clock.Elapsed.TotalSeconds),
            orders = samples[^1].Orders,
            final = samples[^1].Final,
            open = samples[^1].Open,
            stuck = samples[^1].Stuck,
            stuckGrowthSecondHalf = secondHalf[^1].Stuck - secondHalf[0].Stuck,
            workingSetMb = new { first = samples[0].WorkingSetMb, last = samples[^1].WorkingSetMb, max = samples.Max(s => s.WorkingSetMb) },
            privateMb = new { first = samples[0].PrivateMb, last = samples[^1].PrivateMb, max = samples.Max(s => s.PrivateMb) },
            // Live managed memory after the last full collection: the leak detector (a GC keeping a big heap is not a leak).
            afterFullGcMb = new { first = samples.First(s => s.Gen2Collections > 0).AfterFullGcMb, last = samples[^1].AfterFullGcMb, max = samples.Max(s => s.AfterFullGcMb) },
            gen2Collections = samples[^1].Gen2Collections,
            afterFullGcSlopeMbPerMinuteSecondHalf = Math.Round(Slope(secondHalf.Where(s => s.Gen2Collections > 0).Select(s => (s.AtSeconds / 60, s.AfterFullGcMb)).ToList()), 2),
            workingSetSlopeMbPerMinuteSecondHalf = Math.Round(Slope(secondHalf.Select(s => (s.AtSeconds / 60, s.WorkingSetMb)).ToList()), 2),
            privateSlopeMbPerMinuteSecondHalf = Math.Round(Slope(secondHalf.Select(s => (s.AtSeconds / 60, s.PrivateMb)).ToList()), 2),
            samples = samples.Select(s => new { t = Math.Round(s.AtSeconds), ws = s.WorkingSetMb, priv = s.PrivateMb, heap = s.GcHeapMb, afterFullGc = s.AfterFullGcMb, sandbox = s.SandboxRemembered, s.Orders, s.Final, s.Open, s.Stuck }),
        }));
        return 0;
    }

    private static async Task PostBatchAsync(HttpClient http, long batchNo, int size, Action ok, Action failed)
    {
        try
        {
            var body = new { orders = Enumerable.Range(0, size).Select(i => Order(batchNo, i)).ToArray() };
            using var response = await http.PostAsJsonAsync("api/v1/orders/batch", body);
            (response.IsSuccessStatusCode ? ok : failed)();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            failed();
        }
    }

    private static async Task<Sample> SampleAsync(PortalProcess server, HttpClient http, string database, TimeSpan at, long posted, long errors)
    {
        var (workingSet, privateBytes) = server.MemoryBytes();
        var metrics = await http.GetStringAsync("metrics");
        double Metric(string name) => PrometheusText.Sum(metrics, name);
        var gen2 = (long)PrometheusText.Sum(metrics, PrometheusText.GcCollections, PrometheusText.Gen2);
        using var stats = new HttpRequestMessage(HttpMethod.Get, "sandbox/admin/stats");
        stats.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "dev-provider-key");
        using var statsResponse = await http.SendAsync(stats);
        using var sandbox = JsonDocument.Parse(await statsResponse.Content.ReadAsStringAsync());
        await using var connection = new SqliteConnection(database);
        await connection.OpenAsync();
        long orders = 0, final = 0, stuck = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """SELECT "Status", COUNT(*) FROM "Orders" GROUP BY "Status" """;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var count = reader.GetInt64(1);
                orders += count;
                final += reader.GetString(0) is "Delivered" or "Failed" or "Reversed" ? count : 0;
            }
        }

        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """SELECT COUNT(*) FROM "Orders" WHERE "Stuck" = 1""";
            stuck = (long)(await command.ExecuteScalarAsync())!;
        }

        return new Sample(Math.Round(at.TotalSeconds, 1), Mb(workingSet), Mb(privateBytes),
            Mb((long)Metric(PrometheusText.HeapSize)), Mb((long)Metric(PrometheusText.HeapAfterFullGc)), gen2,
            sandbox.RootElement.GetProperty("remembered").GetInt64(), sandbox.RootElement.GetProperty("unsettled").GetInt64(), orders, final, orders - final, stuck, posted, errors);

        static double Mb(long bytes) => Math.Round(bytes / 1024.0 / 1024.0, 1);
    }

    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var denominator = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return denominator == 0 ? 0 : points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / denominator;
    }

    private static object Order(long batchNo, int i) => new
    {
        externalId = $"soak-{batchNo}-{i}",
        // Ordinary users (suffixes 10 to 89): the scenario users have their own tests.
        micoUserId = (10_000_000 + batchNo % 1000).ToString(CultureInfo.InvariantCulture) + (10 + i % 80).ToString(CultureInfo.InvariantCulture),
        region = "GLOBAL",
        sku = "MICO-COINS-500",
        coins = 500,
        amount = "4.99",
        currency = "USD",
    };
}
