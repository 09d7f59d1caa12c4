using System.Data.Common;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Data;
using MicoPortal.Server.Notifications;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Data;

/// <summary>
/// The hot path writes orders, attempts, audit entries, notifications and callback ids with
/// <see cref="RowWriter"/> instead of <c>SaveChanges</c>. The independent judge here is EF Core itself: the
/// same values written both ways must leave the same bytes in every column (times as unix milliseconds,
/// enums as words, the concurrency token in the provider's own Guid form), on SQLite and on a real PostgreSQL.
/// </summary>
public sealed class RowWriterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 22, 40, 1, 123, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"micoportal-rowwriter-{Guid.NewGuid():N}");
    private PostgresServer? _postgres;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Rows_inserted_by_the_writer_are_column_for_column_what_SaveChanges_inserts(DatabaseProvider provider)
    {
        await using var db = await ContextAsync(provider);
        var order = NewOrder("insert");
        db.Orders.Add(order);
        await db.SaveChangesAsync();

        foreach (var pair in new (Func<object> Make, string Table)[]
        {
            (() => new OrderAttempt { OrderId = order.Id, DeliveryAttemptNo = 2, Kind = AttemptKind.Callback, At = At, HttpStatus = 201, ProviderStatus = "SUCCESS", Outcome = "delivered: serial S-1", LatencyMs = 148, Error = "é ünïcode", Actor = null }, "OrderAttempts"),
            (() => new AuditEntry { At = At, Actor = "admin@micoportal.local", Action = AuditActions.OrderTransition, OrderId = order.Id, Details = $"{order.ClientRef} Submitted → Delivered" }, "AuditEntries"),
            (() => new CustomerNotification { OrderId = order.Id, DeliveryAttemptNo = 1, OrderStatus = OrderStatus.Delivered, Channel = NotificationChannels.Sms, To = "+971501234567", Text = "Your coins arrived.", Status = NotificationStatus.Pending, CreatedAt = At, NextTryAt = At }, "CustomerNotifications"),
        })
        {
            var tracked = pair.Make();
            db.Add(tracked);
            await db.SaveChangesAsync();
            var written = pair.Make();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await InsertAsync(db, written);
                await transaction.CommitAsync();
            }

            var rows = await RawRowsAsync(db, pair.Table, "Id");
            Assert.Equal(2, rows.Count);
            output.WriteLine($"{provider} {pair.Table}: {string.Join(" | ", rows[1])}");
            Assert.Equal(rows[0], rows[1]);
        }

        // A table whose key is not generated: the key is written like any column.
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await RowWriter.InsertAsync(db, [new ProcessedCallback { EventId = "evt-1", ReceivedAt = At }], CancellationToken.None);
            await transaction.CommitAsync();
        }

        var callback = await db.ProcessedCallbacks.AsNoTracking().SingleAsync();
        Assert.Equal(("evt-1", At), (callback.EventId, callback.ReceivedAt));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task An_order_updated_by_the_writer_is_column_for_column_what_SaveChanges_writes(DatabaseProvider provider)
    {
        await using var db = await ContextAsync(provider);
        var tracked = NewOrder("tracked");
        var written = NewOrder("written");
        db.Orders.AddRange(tracked, written);
        await db.SaveChangesAsync();
        var expected = written.Version;
        db.ChangeTracker.Clear();

        Deliver(tracked);
        db.Update(tracked);
        await db.SaveChangesAsync(); // renews the token itself
        Deliver(written);
        written.Version = tracked.Version;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await RowWriter.UpdateAsync(db, [(written, (object?)expected)], CancellationToken.None);
            await transaction.CommitAsync();
        }

        var rows = await RawRowsAsync(db, "Orders", "Id", "ExternalId");
        output.WriteLine($"{provider} Orders: {string.Join(" | ", rows[1])}");
        Assert.Equal(rows[0], rows[1]);
        db.ChangeTracker.Clear();
        var read = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == written.Id);
        Assert.Equal((OrderStatus.Delivered, tracked.Version, At.AddSeconds(3)), (read.Status, read.Version, read.DeliveredAt));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task An_update_holding_a_stale_token_changes_nothing_and_says_so(DatabaseProvider provider)
    {
        await using var db = await ContextAsync(provider);
        var order = NewOrder("stale");
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        Deliver(order);
        var stale = Guid.NewGuid();
        order.Version = Guid.NewGuid();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => RowWriter.UpdateAsync(db, [(order, (object?)stale)], CancellationToken.None));
        }

        var read = await db.Orders.AsNoTracking().SingleAsync();
        Assert.Equal(OrderStatus.Received, read.Status);
    }

    /// <summary>More rows than one statement or command takes (SQLite 6 attempts a statement, elsewhere 22 orders a command).</summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Many_rows_are_written_in_several_statements_and_a_stale_one_among_them_fails_the_write(DatabaseProvider provider)
    {
        await using var db = await ContextAsync(provider);
        var orders = Enumerable.Range(0, 60).Select(i => NewOrder($"many-{i}")).ToList();
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        var loaded = orders.Select(o => (object?)o.Version).ToList();

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await RowWriter.InsertAsync(db, [.. Enumerable.Range(0, 150).Select(i => new OrderAttempt { OrderId = orders[i % 60].Id, Kind = AttemptKind.Query, At = At, Outcome = "o", LatencyMs = i })], CancellationToken.None);
            for (var i = 0; i < orders.Count; i++)
            {
                orders[i].CheckCount = i + 1;
                orders[i].Version = Guid.NewGuid();
            }

            await RowWriter.UpdateAsync(db, [.. orders.Select((o, i) => (o, loaded[i]))], CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(Enumerable.Range(0, 150), await db.OrderAttempts.OrderBy(a => a.Id).Select(a => a.LatencyMs).ToListAsync());
        var stored = await db.Orders.AsNoTracking().OrderBy(o => o.Id).Select(o => new { o.CheckCount, o.Version }).ToListAsync();
        Assert.Equal(orders.Select(o => (o.CheckCount, o.Version)), stored.Select(o => (o.CheckCount, o.Version)));

        // The 50th of 60 still holds its first token: nothing of the write is kept.
        var again = orders.Select((o, i) => (o, i == 49 ? loaded[i] : (object?)o.Version)).ToList();
        orders.ForEach(o => { o.CheckCount = 0; o.Version = Guid.NewGuid(); });
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => RowWriter.UpdateAsync(db, again, CancellationToken.None));
        }

        Assert.Equal(Enumerable.Range(1, 60), await db.Orders.AsNoTracking().OrderBy(o => o.Id).Select(o => o.CheckCount).ToListAsync());
    }

    private async Task<PortalDbContext> ContextAsync(DatabaseProvider provider)
    {
        string connectionString;
        if (provider == DatabaseProvider.PostgreSql)
        {
            _postgres = await PostgresServer.StartAsync();
            connectionString = await _postgres.CreateDatabaseAsync("rowwriter");
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(_directory, "portal.db")}";
        }

        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalDatabase(provider, connectionString);
        var db = new PortalDbContext(options.Options);
        await db.Database.MigrateAsync();
        return db;
    }

    private static Task InsertAsync(PortalDbContext db, object row) => row switch
    {
        OrderAttempt attempt => RowWriter.InsertAsync(db, [attempt], CancellationToken.None),
        AuditEntry entry => RowWriter.InsertAsync(db, [entry], CancellationToken.None),
        CustomerNotification notification => RowWriter.InsertAsync(db, [notification], CancellationToken.None),
        _ => throw new ArgumentException(row.GetType().Name),
    };

    private static Order NewOrder(string externalId) => TestOrders.Received(externalId, At);

    /// <summary>Every column the state machine may set, to a value unlike its default.</summary>
    private static void Deliver(Order order)
    {
        order.Status = OrderStatus.Delivered;
        order.Stuck = true;
        order.Disputed = true;
        order.DisputeReason = "query said FAILED";
        order.AttemptNo = 2;
        order.CreateIssuedAt = At.AddSeconds(1);
        order.ProviderRef = "P-9";
        order.ProviderStatus = "SUCCESS";
        order.ProviderVersion = 7;
        order.CallbackVersion = 6;
        order.ReasonCode = "OK";
        order.ReasonMessage = "done";
        order.ProofSerial = "S-1";
        order.DeliveredQuantity = 500;
        order.DeliveredAt = At.AddSeconds(3);
        order.ApiConfirmedAt = At.AddSeconds(4);
        order.CallbackConfirmedAt = At.AddSeconds(5);
        order.SubmittedAt = At.AddSeconds(2);
        order.CompletedAt = At.AddSeconds(4);
        order.UpdatedAt = At.AddSeconds(4);
        order.LatencyMs = 4000;
        order.OperatorActions = 1;
        order.NextCheckAt = null;
        order.LeaseUntil = null;
        order.CheckCount = 3;
    }

    /// <summary>Each row of the table as the database holds it (ordered by id), with the named columns left out.</summary>
    private static async Task<List<List<string>>> RawRowsAsync(PortalDbContext db, string table, params string[] except)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY \"Id\"";
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<List<string>>();
            while (await reader.ReadAsync())
            {
                rows.Add([.. Enumerable.Range(0, reader.FieldCount)
                    .Where(i => !except.Contains(reader.GetName(i)))
                    .Select(i => $"{reader.GetName(i)}={Raw(reader, i)}")]);
            }

            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string Raw(DbDataReader reader, int column) => reader.IsDBNull(column)
        ? "NULL"
        : $"{reader.GetDataTypeName(column)}:{Convert.ToString(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture)}";
}
