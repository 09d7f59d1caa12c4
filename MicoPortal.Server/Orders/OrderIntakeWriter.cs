using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using MicoPortal.Server.Data;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Realtime;
using MicoPortal.Server.Telemetry;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Orders;

/// <summary>
/// Group commit for intake: every request's new orders go into one queue, and a single writer
/// inserts whatever has queued up in one transaction, with prepared statements on one
/// connection. SQLite allows one writer at a time anyway; writing from one place with one commit
/// per group (instead of one EF <c>SaveChanges</c> per request fighting for the lock) is what
/// takes intake from hundreds to tens of thousands of orders a second.
/// <para>
/// On SQLite the transaction is <c>BEGIN IMMEDIATE</c>, so the check for an existing <c>(externalId, shop)</c>
/// and the insert are atomic even against another server process on the same database file. On
/// SQL Server and PostgreSQL each server instance has its own writer; the unique index and the
/// provider's insert-if-absent keep intake idempotent across them (see <see cref="Statements"/>).
/// </para>
/// <para>
/// One request's bad row never fails the others batched with it: a row the database refuses for its values is
/// isolated by writing the group again in halves, and only that row is answered as invalid (<see cref="WriteIsolatingAsync"/>).
/// </para>
/// </summary>
public sealed class OrderIntakeWriter(
    IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<VerificationOptions> verification,
    OrderChangeFeed feed, MetricsRecorder metrics, SweepSignals sweeps, WriteGate writeGate, ILogger<OrderIntakeWriter> logger) : BackgroundService
{
    /// <summary>Orders per transaction at most; a bigger backlog is written in several.</summary>
    public const int MaxGroupOrders = 4_000;


    // Bounded: when the disk cannot keep up, requests wait here instead of filling memory.
    private readonly Channel<IntakeGroup> queue = Channel.CreateBounded<IntakeGroup>(new BoundedChannelOptions(20_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>One request's valid orders, all of one shop, and the caller waiting for their fate.</summary>
    private sealed class IntakeGroup(string shop, IReadOnlyList<ValidOrder> orders)
    {
        public string Shop { get; } = shop;
        public IReadOnlyList<ValidOrder> Orders { get; } = orders;
        public IntakeResult[] Results { get; } = new IntakeResult[orders.Count];
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>The intake span waiting for this group, which the write's span links to.</summary>
        public System.Diagnostics.ActivityContext Intake { get; } = PortalTelemetry.CurrentContext;
    }

    /// <summary>Inserts the orders that are new for this shop; results in the order given.</summary>
    public async Task<IntakeResult[]> InsertAsync(string shop, IReadOnlyList<ValidOrder> orders, CancellationToken cancellationToken)
    {
        var group = new IntakeGroup(shop, orders);
        await queue.Writer.WriteAsync(group, cancellationToken);
        // Once queued the orders are written even if this caller goes away; the shop's retry
        // with the same externalId then finds them (idempotency).
        await group.Done.Task.WaitAsync(cancellationToken);
        return group.Results;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var groups = new List<IntakeGroup>();
        Statements? statements = null;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                groups.Clear();
                var count = 0;
                while (count < MaxGroupOrders && queue.Reader.TryRead(out var group))
                {
                    groups.Add(group);
                    count += group.Orders.Count;
                }

                var created = new List<Order>();
                using var activity = PortalTelemetry.StartBatch(PortalTelemetry.Spans.IntakeWrite, count, groups.Select(g => g.Intake));
                try
                {
                    statements ??= await Statements.OpenAsync(dbFactory, stoppingToken);
                    await WriteIsolatingAsync(statements, [.. groups.SelectMany(g => Enumerable.Range(0, g.Orders.Count).Select(i => new Row(g, i)))], created);
                    foreach (var group in groups)
                    {
                        group.Done.TrySetResult();
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Not a fault of one row (the connection, the server): what was not committed yet is lost, so
                    // the callers get an error (5xx) and the shop retries, finding what was committed (idempotency).
                    // The connection may be broken; open a new one next time.
                    logger.LogError(ex, "Writing {Orders} new orders failed; {Requests} requests answered with an error", count, groups.Count);
                    foreach (var group in groups)
                    {
                        group.Done.TrySetException(ex);
                    }

                    if (statements is not null)
                    {
                        await statements.DisposeAsync();
                        statements = null;
                    }

                    Announce(created);
                    continue;
                }

                // After the answers, and outside the transaction's error handling: these orders are committed.
                Announce(created);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Requests still queued at shutdown get an error rather than waiting forever.
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var left))
            {
                left.Done.TrySetCanceled(CancellationToken.None);
            }

            if (statements is not null)
            {
                await statements.DisposeAsync();
            }
        }
    }

    /// <summary>One order of one request.</summary>
    private readonly record struct Row(IntakeGroup Group, int Index);

    /// <summary>
    /// Writes the rows in one transaction. When the database refuses a row for its own values (too long for
    /// its column, a constraint), the transaction rolls back and the rows are written again in halves, down to
    /// the refused row alone: that row alone is answered as invalid, every other row is committed. Errors that
    /// are not a row's (connection, server) are thrown, as before. Committed orders are added to
    /// <paramref name="created"/>.
    /// </summary>
    private async Task WriteIsolatingAsync(Statements statements, Row[] rows, List<Order> created)
    {
        try
        {
            created.AddRange(await WriteAsync(statements, rows));
        }
        catch (Exception ex) when (IsRowError(ex))
        {
            if (rows.Length == 1)
            {
                var (group, index) = rows[0];
                logger.LogWarning(ex, "The database refused order {ExternalId} of shop {Shop}; it alone is answered as invalid", group.Orders[index].ExternalId, group.Shop);
                group.Results[index] = new IntakeResult(group.Orders[index].ExternalId, IntakeOutcome.Invalid, Errors: new Dictionary<string, string[]>
                {
                    ["order"] = ["The order could not be stored: the database refused one of its values. Nothing was written for it; other orders are not affected."],
                });
                return;
            }

            logger.LogWarning(ex, "The database refused a row among {Orders} new orders; writing them again in halves to isolate it", rows.Length);
            var half = rows.Length / 2;
            await WriteIsolatingAsync(statements, rows[..half], created);
            await WriteIsolatingAsync(statements, rows[half..], created);
        }
    }

    /// <summary>
    /// The database refused a row for its values (SQLSTATE class 22 data exception or 23 integrity constraint on
    /// PostgreSQL; the same errors on SQL Server and SQLite; a value the driver cannot convert), as opposed to
    /// a failure of the connection or the server, which would fail any row.
    /// </summary>
    internal static bool IsRowError(Exception ex) => ex switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode is 18 or 19 or 20, // TOOBIG, CONSTRAINT, MISMATCH
        // Truncation (2628, 8152), NULL (515), constraints (547, 2601, 2627), conversion and overflow (245, 8114, 8115).
        Microsoft.Data.SqlClient.SqlException sqlServer => sqlServer.Number is 2628 or 8152 or 515 or 547 or 2601 or 2627 or 245 or 8114 or 8115,
        DbException { SqlState: { Length: 5 } state } => state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal),
        InvalidCastException or OverflowException => true,
        _ => false,
    };

    private async Task<List<Order>> WriteAsync(Statements statements, Row[] rows)
    {
        var now = time.GetUtcNow();
        var dueBy = now + verification.Value.StuckAfter;
        var created = new List<Order>();
        // Repeats inside this transaction (two requests with one externalId) see each other.
        var written = new Dictionary<(string Shop, string ExternalId), (long Id, ValidOrder Order)>();
        using var turn = await writeGate.EnterAsync(statements.Provider, CancellationToken.None);
        await using var transaction = await statements.Connection.BeginTransactionAsync();
        statements.Enlist(transaction);
        foreach (var (group, i) in rows)
        {
            var order = group.Orders[i];
            var key = (group.Shop, order.ExternalId);
            if (!written.TryGetValue(key, out var known))
            {
                // New orders are the common case: try the insert first and look only when it hits
                // an existing (externalId, shop).
                var entity = NewOrder(order, group.Shop, now, dueBy);
                if (await statements.TryInsertAsync(entity) is { } id)
                {
                    entity.Id = id;
                    written[key] = (id, order);
                    created.Add(entity);
                    group.Results[i] = new IntakeResult(order.ExternalId, IntakeOutcome.Created, id, entity);
                    continue;
                }

                known = (await statements.FindAsync(group.Shop, order.ExternalId))!.Value;
            }

            group.Results[i] = new IntakeResult(order.ExternalId, order.SameAs(known.Order) ? IntakeOutcome.Existing : IntakeOutcome.Conflict, known.Id);
        }

        await transaction.CommitAsync();
        return created;
    }

    private void Announce(List<Order> created)
    {
        if (created.Count == 0)
        {
            return;
        }

        foreach (var order in created)
        {
            metrics.OrderReceived(order);
        }

        feed.Publish([.. created.Select(o => new OrderChange(o.Id, o.ExternalId, o.Status, false, false, o.ReceivedAt))]);
        sweeps.Dispatch.Set();
    }

    private static Order NewOrder(ValidOrder order, string shop, DateTimeOffset now, DateTimeOffset dueBy) => new()
    {
        ExternalId = order.ExternalId,
        MicoUserId = order.MicoUserId,
        Region = order.Region,
        Sku = order.Sku,
        Coins = order.Coins,
        Amount = order.Amount,
        Currency = order.Currency,
        CustomerPhone = order.CustomerPhone,
        Shop = shop,
        Status = OrderStatus.Received,
        ReceivedAt = now,
        UpdatedAt = now,
        DueBy = dueBy,
        NextCheckAt = now,
        Version = Guid.NewGuid(),
    };

    /// <summary>
    /// The writer's connection and its two prepared statements, in the active provider's SQL. On
    /// SQLite, values are written exactly as EF Core's SQLite provider writes them (times as unix
    /// milliseconds, decimals and GUIDs as upper-case text), so EF reads and concurrency checks see
    /// the same row; on SQL Server and PostgreSQL the columns are typed and the driver converts.
    /// Idempotency holds across server instances on every provider: the unique (ExternalId, Shop)
    /// index decides, and the insert skips a row that exists instead of failing (SQLite and
    /// PostgreSQL: <c>ON CONFLICT DO NOTHING</c>, which waits for a concurrent insert of the same key
    /// to commit or roll back; SQL Server: <c>NOT EXISTS</c> under <c>UPDLOCK, HOLDLOCK</c>, a key-range lock).
    /// </summary>
    private sealed class Statements : IAsyncDisposable
    {
        private static readonly string[] InsertParameters =
            ["externalId", "micoUserId", "region", "sku", "coins", "amount", "currency", "shop", "status", "receivedAt", "dueBy", "version", "customerPhone"];

        private readonly PortalDbContext db;
        private readonly DatabaseProvider provider;
        private readonly string prefix;
        private readonly DbCommand find;
        private readonly DbCommand insert;
        private readonly DbParameter[] insertValues;
        private readonly DbParameter findExternalId;
        private readonly DbParameter findShop;

        private Statements(PortalDbContext db, DbConnection connection)
        {
            this.db = db;
            Connection = connection;
            provider = db.Database.PortalProvider();
            // Microsoft.Data.Sqlite's own "$name" on SQLite (unchanged), "@name" for Npgsql and SqlClient.
            prefix = provider == DatabaseProvider.Sqlite ? "$" : "@";
            // Built once per model, names from the model (Data/OrderSql.cs).
            var sql = OrderSql.Of(db);
            find = Command(connection, sql.IntakeFind, ["externalId", "shop"]);
            insert = Command(connection, sql.IntakeInsert, InsertParameters);
            insertValues = [.. InsertParameters.Select(name => insert.Parameters[prefix + name])];
            insertValues[12].DbType = System.Data.DbType.String; // often null: a typed null on every driver
            findExternalId = find.Parameters[prefix + "externalId"];
            findShop = find.Parameters[prefix + "shop"];
        }

        public DbConnection Connection { get; }

        public DatabaseProvider Provider => provider;

        public static async Task<Statements> OpenAsync(IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
        {
            // Through EF so the connection string and the WAL/busy-timeout pragmas are the portal's own.
            var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            return new Statements(db, db.Database.GetDbConnection());
        }

        public void Enlist(DbTransaction transaction)
        {
            find.Transaction = transaction;
            insert.Transaction = transaction;
        }

        public async Task<(long Id, ValidOrder Order)?> FindAsync(string shop, string externalId)
        {
            findExternalId.Value = externalId;
            findShop.Value = shop;
            await using var reader = await find.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return null;
            }

            // SQLite keeps decimals as text (as EF does); the other providers have a decimal column.
            var amount = provider == DatabaseProvider.Sqlite ? decimal.Parse(reader.GetString(5), CultureInfo.InvariantCulture) : reader.GetDecimal(5);
            return (reader.GetInt64(0), new ValidOrder(externalId, reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt32(4), amount, reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        /// <summary>The new order's id, or <c>null</c> when the shop already has an order with this externalId.</summary>
        public async Task<long?> TryInsertAsync(Order order)
        {
            // By position, in InsertParameters order: no per-row lookup by name on the hot path.
            var p = insertValues;
            p[0].Value = order.ExternalId;
            p[1].Value = order.MicoUserId;
            p[2].Value = order.Region;
            p[3].Value = order.Sku;
            p[4].Value = order.Coins;
            p[5].Value = order.Amount; // Microsoft.Data.Sqlite writes decimals as invariant text, as EF does
            p[6].Value = order.Currency;
            p[7].Value = order.Shop;
            p[8].Value = order.Status.ToString();
            p[9].Value = order.ReceivedAt.ToUnixTimeMilliseconds();
            p[10].Value = order.DueBy.ToUnixTimeMilliseconds();
            // SQLite: upper-case text, as EF's SQLite provider stores a Guid; elsewhere a uuid/uniqueidentifier column.
            p[11].Value = provider == DatabaseProvider.Sqlite ? order.Version.ToString().ToUpperInvariant() : order.Version;
            p[12].Value = (object?)order.CustomerPhone ?? DBNull.Value;
            return await insert.ExecuteScalarAsync() is long id ? id : null;
        }

        public async ValueTask DisposeAsync()
        {
            await find.DisposeAsync();
            await insert.DisposeAsync();
            await db.DisposeAsync();
        }

        private DbCommand Command(DbConnection connection, string sql, string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = prefix + name;
                command.Parameters.Add(parameter);
            }

            return command;
        }
    }
}
