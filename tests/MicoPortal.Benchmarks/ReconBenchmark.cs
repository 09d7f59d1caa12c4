using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Reconciliation;
using MicoPortal.Shared.Reconciliation;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using nietras.SeparatedValues;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>recon</c>: N orders stored (the dashboard seeder's mix), the provider's transaction log for all
/// of them written as CSV with 100 discrepancies of each kind, uploaded to the portal (its own
/// process) and reconciled. Reports the time, rows/s, the counts found and the server's peak memory.
/// </summary>
public static class ReconBenchmark
{
    private const int InjectedPerKind = 100;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var orders = options.Int("orders", 1_000_000);
        var root = Path.Combine(Path.GetTempPath(), $"micoportal-bench-recon-{Guid.NewGuid():N}");
        var dataDirectory = Path.Combine(root, "portal");
        var seeded = await OrderSeeder.SeedAsync(dataDirectory, orders);
        var logPath = Path.Combine(root, "provider-log.csv");
        var (rows, injected) = await WriteLogAsync(Path.Combine(dataDirectory, "micoportal.db"), logPath);
        Console.Error.WriteLine($"seeded {orders:N0} orders in {seeded.TotalSeconds:0.0} s; log of {rows:N0} rows, {new FileInfo(logPath).Length / 1024 / 1024} MB");

        await using var portal = await PortalProcess.StartAsync(dataDirectory, new Dictionary<string, string?>
        {
            ["Demo:OrdersPerSecond"] = "0",
            ["Reconciliation:Batch"] = options.Int("batch", 2_000).ToString(CultureInfo.InvariantCulture),
        });
        using var admin = await portal.AdminClientAsync();
        var baseline = portal.MemoryBytes().WorkingSet;
        var clock = Stopwatch.StartNew();
        long id;
        await using (var file = File.OpenRead(logPath))
        {
            var content = new StreamContent(file, 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var form = new MultipartFormDataContent { { content, "file", "provider-log.csv" } };
            var response = await admin.PostAsync("api/v1/reconciliations", form);
            response.EnsureSuccessStatusCode();
            id = (await response.Content.ReadFromJsonAsync<ReconciliationCreated>())!.Id;
        }

        var uploaded = clock.Elapsed;
        ReconciliationDto run;
        long peakHeap = 0;
        while (true)
        {
            await Task.Delay(500);
            peakHeap = Math.Max(peakHeap, await ManagedHeapBytesAsync(admin));
            run = (await admin.GetFromJsonAsync<ReconciliationDto>($"api/v1/reconciliations/{id}", new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
            if (run.State is ReconciliationState.Completed or ReconciliationState.Failed)
            {
                break;
            }

            if ((int)clock.Elapsed.TotalSeconds % 10 == 0)
            {
                Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds,6:0} s  {run.Rows,10:N0} rows  {portal.PeakWorkingSetBytes() / 1024 / 1024} MB peak");
            }
        }

        var total = clock.Elapsed;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "recon",
            orders,
            state = run.State.ToString(),
            run.Rows,
            run.Matched,
            run.MissingInPortal,
            run.MissingAtProvider,
            run.StatusMismatch,
            run.AmountMismatch,
            run.Confirmed,
            injected = new { missingAtProvider = injected.Dropped, missingInPortal = injected.Foreign, statusMismatch = injected.Flipped, amountMismatch = injected.Changed },
            uploadSeconds = Math.Round(uploaded.TotalSeconds, 1),
            totalSeconds = Math.Round(total.TotalSeconds, 1),
            rowsPerSecond = Math.Round(run.Rows / total.TotalSeconds),
            serverBaselineWorkingSetMb = baseline / 1024 / 1024,
            serverPeakWorkingSetMb = portal.PeakWorkingSetBytes() / 1024 / 1024,
            serverPeakManagedHeapMb = peakHeap / 1024 / 1024,
            serverSqliteHighwaterMb = await MetricAsync(admin, PrometheusText.SqliteHighwater) / 1024 / 1024,
        }));
        Directory.Delete(root, recursive: true);
        return run.State == ReconciliationState.Completed ? 0 : 1;
    }

    /// <summary>
    /// The log the provider would send: every order it was sent, in provider words, with discrepancies
    /// injected from the 100,000th order on (away from the log's first and last times): every
    /// 1,000th order in turn dropped (missing at provider), status flipped, or quantity changed, 100 of
    /// each; and 25 foreign rows (missing in portal) after every 250,000 orders.
    /// </summary>
    private static async Task<(long Rows, Injected Injected)> WriteLogAsync(string database, string path)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, AttemptNo, Status, Coins, Amount, Currency, ProviderRef, ProofSerial, COALESCE(CompletedAt, ReceivedAt) FROM Orders ORDER BY Id";
        await using var reader = await command.ExecuteReaderAsync();
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        using var csv = Csv.Writer(writer, TransactionLogReader.Columns);
        var injected = new Injected();
        long rows = 0;
        long position = 0;
        while (await reader.ReadAsync())
        {
            position++;
            var status = reader.GetString(2) switch
            {
                "Delivered" => "SUCCESS",
                "Failed" => "FAILED",
                "Reversed" => "REVERSED",
                _ => "PENDING",
            };
            var quantity = reader.GetInt32(3);
            var turn = position >= 100_000 && position % 1_000 == 0 ? (position / 1_000 - 100) % 3 : -1;
            if (turn == 0 && injected.Dropped < InjectedPerKind)
            {
                injected.Dropped++;
                continue;
            }

            if (turn == 1 && injected.Flipped < InjectedPerKind)
            {
                injected.Flipped++;
                status = status == "SUCCESS" ? "FAILED" : "SUCCESS";
            }
            else if (turn == 2 && injected.Changed < InjectedPerKind)
            {
                injected.Changed++;
                quantity++;
            }

            var updatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)).UtcDateTime;
            WriteRow(csv, string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}-{reader.GetInt32(1)}"), reader.IsDBNull(6) ? "" : reader.GetString(6), status,
                reader.IsDBNull(7) ? "" : reader.GetString(7), quantity, reader.GetString(4), reader.GetString(5), updatedAt);
            rows++;
            if (position % 250_000 == 0)
            {
                for (var i = 0; i < InjectedPerKind / 4; i++)
                {
                    WriteRow(csv, string.Create(CultureInfo.InvariantCulture, $"{90_000_000_000L + position + i}-1"), string.Create(CultureInfo.InvariantCulture, $"X{i}"), "SUCCESS", "SN-X", 500, "4.99", "USD", updatedAt);
                    injected.Foreign++;
                    rows++;
                }
            }
        }

        return (rows, injected);

        static void WriteRow(SepWriter csv, string clientRef, string providerRef, string status, string serial, int quantity, string amount, string currency, DateTime updatedAt)
        {
            using var row = csv.NewRow();
            row["clientRef"].Set(clientRef);
            row["providerRef"].Set(providerRef);
            row["status"].Set(status);
            row["serial"].Set(serial);
            row["quantity"].Format(quantity);
            row["amount"].Set(amount);
            row["currency"].Set(currency);
            row["updatedAt"].Format(updatedAt, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        }
    }

    /// <summary>The managed heap after the server's last collection, from its Prometheus text.</summary>
    private static Task<long> ManagedHeapBytesAsync(HttpClient client) => MetricAsync(client, PrometheusText.HeapSize);

    /// <summary>One series from the server's Prometheus text, its samples added up.</summary>
    private static async Task<long> MetricAsync(HttpClient client, string name) => (long)PrometheusText.Sum(await client.GetStringAsync("metrics"), name);

    private sealed class Injected
    {
        public int Dropped;
        public int Flipped;
        public int Changed;
        public int Foreign;
    }
}
