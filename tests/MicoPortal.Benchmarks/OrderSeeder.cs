using System.Diagnostics;
using MicoPortal.Server.Data;
using MicoPortal.Server.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Benchmarks;

/// <summary>
/// Fills a portal database with N realistic orders (mostly delivered over the last days, a few
/// open, stuck or disputed) and a day of metrics rollups, straight through SQLite for speed.
/// </summary>
public static class OrderSeeder
{
    public static async Task<TimeSpan> SeedAsync(string dataDirectory, int orders)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await OpenMigratedAsync(dataDirectory);
        var now = DateTimeOffset.UtcNow;
        var random = new Random(42);
        const int chunk = 50_000;
        for (var start = 0; start < orders; start += chunk)
        {
            await using var transaction = connection.BeginTransaction();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO Orders (ExternalId, MicoUserId, Region, Sku, Coins, Amount, Currency, Shop, Status, Stuck, Disputed,
                    AttemptNo, CreateIssuedAt, ProviderRef, ProviderStatus, ProviderVersion, CallbackVersion, ProofSerial, DeliveredQuantity,
                    DeliveredAt, ApiConfirmedAt, CallbackConfirmedAt, ReceivedAt, DueBy, SubmittedAt, CompletedAt, UpdatedAt, LatencyMs,
                    NextCheckAt, CheckCount, Version, ReasonCode)
                VALUES ($e, $u, $r, 'MICO-COINS-500', 500, '4.99', 'USD', 'bench', $s, $stuck, $disputed,
                    1, $t, $pref, $ps, 2, 2, $serial, 500, $done, $done, $done, $t, $due, $t, $done, $t, $lat, $next, 0, $v, $reason)
                """;
            var p = new Dictionary<string, SqliteParameter>();
            foreach (var name in new[] { "$e", "$u", "$r", "$s", "$stuck", "$disputed", "$t", "$pref", "$ps", "$serial", "$done", "$due", "$lat", "$next", "$v", "$reason" })
            {
                p[name] = insert.Parameters.Add(new SqliteParameter(name, null));
            }

            insert.Transaction = transaction;
            await insert.PrepareAsync();
            for (var i = start; i < Math.Min(orders, start + chunk); i++)
            {
                // Spread over the last 3 days, newest ids newest.
                var received = now.AddSeconds(-(orders - i) * (259_200.0 / orders));
                var roll = random.NextDouble();
                var (status, providerStatus) = roll switch
                {
                    < 0.970 => ("Delivered", "SUCCESS"),
                    < 0.985 => ("Failed", "FAILED"),
                    < 0.988 => ("Reversed", "REVERSED"),
                    < 0.994 => ("Submitted", "PENDING"),
                    < 0.997 => ("Unknown", (string?)null),
                    _ => ("Received", null),
                };
                var open = status is "Submitted" or "Unknown" or "Received";
                var latency = 300 + random.Next(2500);
                var t = received.ToUnixTimeMilliseconds();
                p["$e"].Value = $"bench-{i}";
                p["$u"].Value = (10_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
                p["$r"].Value = i % 3 == 0 ? "MENA" : "GLOBAL";
                p["$s"].Value = status;
                p["$stuck"].Value = open && received < now.AddMinutes(-15) ? 1 : 0;
                p["$disputed"].Value = random.NextDouble() < 0.001 ? 1 : 0;
                p["$t"].Value = t;
                p["$pref"].Value = status == "Received" ? DBNull.Value : $"SBX-{i}";
                p["$ps"].Value = (object?)providerStatus ?? DBNull.Value;
                p["$serial"].Value = status is "Delivered" or "Reversed" ? $"SN-{i}" : DBNull.Value;
                p["$done"].Value = open ? DBNull.Value : t + latency;
                p["$due"].Value = t + 900_000;
                p["$lat"].Value = status == "Delivered" ? latency : DBNull.Value;
                p["$next"].Value = open ? t + 600_000 : DBNull.Value;
                p["$v"].Value = Guid.NewGuid().ToString().ToUpperInvariant();
                p["$reason"].Value = status == "Failed" ? "ACCOUNT_INVALID" : DBNull.Value;
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        await SeedRollupsAsync(connection, now, orders);
        await Execute(connection, "PRAGMA optimize; ANALYZE;");
        return clock.Elapsed;
    }

    /// <summary>A day of per-minute rollups for 6 SKUs and 2 regions, as the recorder would have written.</summary>
    private static async Task SeedRollupsAsync(SqliteConnection connection, DateTimeOffset now, int orders)
    {
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO MetricsMinutes (Minute, Sku, Region, Instance, Received, Delivered, Failed, Reversed, LatencyBuckets) VALUES ($m, $sku, $r, 'bench', $n, $d, $f, 0, $h)";
        var m = insert.Parameters.Add(new SqliteParameter("$m", 0L));
        var sku = insert.Parameters.Add(new SqliteParameter("$sku", ""));
        var region = insert.Parameters.Add(new SqliteParameter("$r", ""));
        var n = insert.Parameters.Add(new SqliteParameter("$n", 0L));
        var d = insert.Parameters.Add(new SqliteParameter("$d", 0L));
        var f = insert.Parameters.Add(new SqliteParameter("$f", 0L));
        var h = insert.Parameters.Add(new SqliteParameter("$h", ""));
        var perRow = Math.Max(1, orders / (1440 * 12));
        var histogram = new LatencyHistogram();
        for (var i = 0; i < perRow; i++)
        {
            histogram.Add(300 + (i * 37 % 2500));
        }

        var minute0 = now.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        for (var minute = 0; minute < 1440; minute++)
        {
            foreach (var s in new[] { "MICO-COINS-100", "MICO-COINS-500", "MICO-COINS-1200", "MICO-COINS-3000", "MICO-COINS-6500", "MICO-COINS-14000" })
            {
                foreach (var r in new[] { "GLOBAL", "MENA" })
                {
                    m.Value = minute0 - minute * 60_000L;
                    sku.Value = s;
                    region.Value = r;
                    n.Value = perRow;
                    d.Value = perRow * 97 / 100;
                    f.Value = perRow - perRow * 97 / 100;
                    h.Value = histogram.Serialize();
                    await insert.ExecuteNonQueryAsync();
                }
            }
        }

        await transaction.CommitAsync();
    }

    /// <summary>
    /// A backlog of N paid orders waiting for dispatch (status Received, due now), as if a shop had
    /// just sent them. Ordinary MICO users (the sandbox delivers within 0 to 2 s) unless
    /// <paramref name="scenarios"/> mixes in the sandbox's fault scenarios (user ids ending 91 to 99).
    /// </summary>
    public static async Task<TimeSpan> SeedReceivedAsync(string dataDirectory, int orders, bool scenarios)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await OpenMigratedAsync(dataDirectory);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO Orders (ExternalId, MicoUserId, Region, Sku, Coins, Amount, Currency, Shop, Status, Stuck, Disputed,
                AttemptNo, ProviderVersion, CallbackVersion, ReceivedAt, DueBy, UpdatedAt, NextCheckAt, CheckCount, Version)
            VALUES ($e, $u, 'GLOBAL', 'MICO-COINS-500', 500, '4.99', 'USD', 'bench', 'Received', 0, 0,
                1, 0, 0, $t, $due, $t, $t, 0, $v)
            """;
        var e = insert.Parameters.Add(new SqliteParameter("$e", ""));
        var u = insert.Parameters.Add(new SqliteParameter("$u", ""));
        var t = insert.Parameters.Add(new SqliteParameter("$t", now));
        var due = insert.Parameters.Add(new SqliteParameter("$due", now + 3_600_000));
        var v = insert.Parameters.Add(new SqliteParameter("$v", ""));
        await insert.PrepareAsync();
        for (var i = 0; i < orders; i++)
        {
            // Last two digits choose the sandbox scenario: 10..89 is an ordinary delivery.
            var suffix = scenarios ? i % 100 : 10 + i % 80;
            e.Value = $"verify-{i}";
            u.Value = ((1_000_000 + i) * 100L + suffix).ToString(System.Globalization.CultureInfo.InvariantCulture);
            t.Value = now + i / 1000; // a thousand a millisecond, oldest first
            v.Value = Guid.NewGuid().ToString().ToUpperInvariant();
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return clock.Elapsed;
    }

    /// <summary>The portal's database in <paramref name="dataDirectory"/>, migrated, open for fast bulk writes.</summary>
    private static async Task<SqliteConnection> OpenMigratedAsync(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var connectionString = $"Data Source={Path.Combine(dataDirectory, "micoportal.db")}";
        await using (var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connectionString).Options))
        {
            await db.Database.MigrateAsync();
        }

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        // Seeding only: a crash just means seeding again.
        await Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
        return connection;
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
