using System.Runtime.CompilerServices;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MicoPortal.Server.Data;

/// <summary>
/// The portal's hand-written SQL: the few statements EF Core cannot express (the sweeps' claim that skips
/// locked rows, intake's insert-if-absent, locking rows before a reload, SQLite's <c>INDEXED BY</c>). Every
/// table and column name is read from the EF model of the active provider and quoted as that provider
/// quotes (<c>[x]</c> on SQL Server, <c>"x"</c> on SQLite and PostgreSQL), so a renamed property or column
/// changes the SQL with it; tests check every name against the model and parse the SQL Server statements,
/// since SQL Server cannot run on the build machines (README, Production). Built once per model.
/// </summary>
internal sealed class OrderSql
{
    private static readonly ConditionalWeakTable<IModel, OrderSql> Built = new();

    private readonly string orders, id, externalId, micoUserId, region, sku, coins, amount, currency, customerPhone, shop, status,
        stuck, disputed, attemptNo, createIssuedAt, providerVersion, callbackVersion, receivedAt, dueBy, updatedAt,
        nextCheckAt, leaseUntil, checkCount, version;

    private readonly string? claimForDispatch, claimForVerify, dueFromDispatchIndex, dueFromWorkQueueIndex, readinessProbe;

    /// <summary>The statements of this context's model (one instance per model, so per provider).</summary>
    public static OrderSql Of(DbContext db) => Built.TryGetValue(db.Model, out var sql) ? sql : Build(db);

    // Apart, so the closure is allocated only the first time.
    private static OrderSql Build(DbContext db) => Built.GetValue(db.Model, model => new OrderSql(model, db.Database.PortalProvider()));

    internal OrderSql(IModel model, DatabaseProvider provider)
    {
        Provider = provider;
        var entity = model.FindEntityType(typeof(Order)) ?? throw new InvalidOperationException("The model has no orders.");
        var table = StoreObjectIdentifier.Create(entity, StoreObjectType.Table) ?? throw new InvalidOperationException("Orders are not mapped to a table.");
        orders = table.Schema is null ? Quote(table.Name) : $"{Quote(table.Schema)}.{Quote(table.Name)}";
        string Column(string property) => Quote(entity.FindProperty(property)?.GetColumnName(table)
            ?? throw new InvalidOperationException($"Order.{property} has no column in {table.Name}."));

        id = Column(nameof(Order.Id));
        externalId = Column(nameof(Order.ExternalId));
        micoUserId = Column(nameof(Order.MicoUserId));
        region = Column(nameof(Order.Region));
        sku = Column(nameof(Order.Sku));
        coins = Column(nameof(Order.Coins));
        amount = Column(nameof(Order.Amount));
        currency = Column(nameof(Order.Currency));
        customerPhone = Column(nameof(Order.CustomerPhone));
        shop = Column(nameof(Order.Shop));
        status = Column(nameof(Order.Status));
        stuck = Column(nameof(Order.Stuck));
        disputed = Column(nameof(Order.Disputed));
        attemptNo = Column(nameof(Order.AttemptNo));
        createIssuedAt = Column(nameof(Order.CreateIssuedAt));
        providerVersion = Column(nameof(Order.ProviderVersion));
        callbackVersion = Column(nameof(Order.CallbackVersion));
        receivedAt = Column(nameof(Order.ReceivedAt));
        dueBy = Column(nameof(Order.DueBy));
        updatedAt = Column(nameof(Order.UpdatedAt));
        nextCheckAt = Column(nameof(Order.NextCheckAt));
        leaseUntil = Column(nameof(Order.LeaseUntil));
        checkCount = Column(nameof(Order.CheckCount));
        version = Column(nameof(Order.Version));

        if (provider == DatabaseProvider.Sqlite)
        {
            dueFromDispatchIndex = $"SELECT * FROM {orders} INDEXED BY {Quote(OrderClaims.DispatchIndex)}";
            dueFromWorkQueueIndex = $"SELECT * FROM {orders} INDEXED BY {Quote(OrderClaims.WorkQueueIndex)}";
            readinessProbe = $"SELECT {id} FROM {orders} LIMIT 1";
        }
        else
        {
            claimForDispatch = ClaimSql(dispatch: true);
            claimForVerify = ClaimSql(dispatch: false);
        }

        IntakeFind = IntakeFindSql();
        IntakeInsert = IntakeInsertSql();
    }

    public DatabaseProvider Provider { get; }

    /// <summary>SQLite: the readiness probe's read, on a connection of its own (the other providers read through EF).</summary>
    public string ReadinessProbe => readinessProbe ?? throw new NotSupportedException($"{Provider}'s readiness probe reads through EF.");

    /// <summary>Intake's look-up of an existing <c>(externalId, shop)</c> (parameters <c>externalId</c>, <c>shop</c>).</summary>
    public string IntakeFind { get; }

    /// <summary>Intake's insert-if-absent; returns the new id, or nothing when the shop already has the externalId.</summary>
    public string IntakeInsert { get; }

    /// <summary>SQLite: the source of <see cref="OrderClaims.DueIds"/>, read through the queue's own partial index.</summary>
    public string DueFrom(bool dispatch) => (dispatch ? dueFromDispatchIndex : dueFromWorkQueueIndex)
        ?? throw new NotSupportedException($"INDEXED BY is SQLite's; {Provider} claims with {nameof(Claim)}.");

    /// <summary>SQL Server and PostgreSQL: the claim that leases due orders in one statement, skipping locked rows.</summary>
    public string Claim(bool dispatch) => (dispatch ? claimForDispatch : claimForVerify)
        ?? throw new NotSupportedException($"No claim SQL for {Provider}: SQLite claims through {nameof(OrderClaims.DueIds)}.");

    /// <summary>
    /// SQL Server and PostgreSQL: locks the orders <paramref name="ids"/> (our own longs, written inline,
    /// comma-separated and in ascending order) until the transaction ends.
    /// </summary>
    public string LockRows(string ids) => Provider switch
    {
        DatabaseProvider.SqlServer => $"SELECT {id} FROM {orders} WITH (UPDLOCK, ROWLOCK) WHERE {id} IN ({ids}) ORDER BY {id}",
        // NO KEY UPDATE: the key is never changed, and inserting an attempt row (which takes a key-share lock on
        // its order) in another transaction must not wait for, or deadlock with, this lock.
        DatabaseProvider.PostgreSql => $"SELECT {id} FROM {orders} WHERE {id} IN ({ids}) ORDER BY {id} FOR NO KEY UPDATE",
        _ => throw new NotSupportedException($"{Provider} needs no row locks: its write transaction holds the database's one write lock."),
    };

    /// <summary>Every statement this provider runs, named, for the tests (row locks with two sample ids).</summary>
    public IEnumerable<(string Name, string Sql)> All()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            yield return ("DueFromDispatchIndex", DueFrom(dispatch: true));
            yield return ("DueFromWorkQueueIndex", DueFrom(dispatch: false));
            yield return (nameof(ReadinessProbe), ReadinessProbe);
        }
        else
        {
            yield return ("ClaimForDispatch", Claim(dispatch: true));
            yield return ("ClaimForVerify", Claim(dispatch: false));
            yield return (nameof(LockRows), LockRows("1,2"));
        }

        yield return (nameof(IntakeFind), IntakeFind);
        yield return (nameof(IntakeInsert), IntakeInsert);
    }

    private string Quote(string name) => Provider == DatabaseProvider.SqlServer
        ? $"[{name.Replace("]", "]]", StringComparison.Ordinal)}]"
        : $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>
    /// See <see cref="OrderClaims"/>: select and lease in one statement, skipping rows another instance's claim
    /// has locked (PostgreSQL <c>FOR UPDATE SKIP LOCKED</c>, SQL Server <c>UPDLOCK, READPAST, ROWLOCK</c>).
    /// The dispatch condition is the dispatch queue's index filter (<see cref="OrderClaims.DispatchIndexFilter"/>
    /// and its SQL Server form), so the planner can read that index.
    /// </summary>
    private string ClaimSql(bool dispatch)
    {
        var due = dispatch
            ? $"{status} = 'Received' AND {createIssuedAt} IS NULL"
            : $"({status} <> 'Received' OR {createIssuedAt} IS NOT NULL)";
        var markIssued = dispatch ? $", {createIssuedAt} = @now" : "";
        return Provider == DatabaseProvider.SqlServer
            ? $"""
                WITH due AS (
                    SELECT TOP (@size) {id}, {leaseUntil}, {version}, {createIssuedAt} FROM {orders} WITH (UPDLOCK, READPAST, ROWLOCK)
                    WHERE {nextCheckAt} <= @now AND ({leaseUntil} IS NULL OR {leaseUntil} < @now)
                        AND {due}
                    ORDER BY {nextCheckAt})
                UPDATE due SET {leaseUntil} = @lease, {version} = @token{markIssued}
                OUTPUT inserted.{id};
                """
            : $"""
                UPDATE {orders} SET {leaseUntil} = @lease, {version} = @token{markIssued}
                WHERE {id} IN (
                    SELECT {id} FROM {orders}
                    WHERE {nextCheckAt} <= @now AND ({leaseUntil} IS NULL OR {leaseUntil} < @now)
                        AND {due}
                    ORDER BY {nextCheckAt}
                    LIMIT @size
                    FOR UPDATE SKIP LOCKED)
                RETURNING {id}
                """;
    }

    /// <summary>Microsoft.Data.Sqlite's own <c>$name</c> on SQLite, <c>@name</c> for Npgsql and SqlClient.</summary>
    private string P(string name) => (Provider == DatabaseProvider.Sqlite ? "$" : "@") + name;

    private string IntakeFindSql() => $"""
        SELECT {id}, {micoUserId}, {region}, {sku}, {coins}, {amount}, {currency}, {customerPhone} FROM {orders}
        WHERE {externalId} = {P("externalId")} AND {shop} = {P("shop")}
        """;

    /// <summary>
    /// See <see cref="OrderIntakeWriter"/>: SQLite and PostgreSQL <c>ON CONFLICT DO NOTHING</c> on the unique
    /// (ExternalId, Shop) index; SQL Server <c>NOT EXISTS</c> under <c>UPDLOCK, HOLDLOCK</c> (a key-range lock).
    /// The values follow the columns by position.
    /// </summary>
    private string IntakeInsertSql()
    {
        var columns = $"""
            {externalId}, {micoUserId}, {region}, {sku}, {coins}, {amount}, {currency}, {shop}, {status},
                {stuck}, {disputed}, {attemptNo}, {providerVersion}, {callbackVersion}, {receivedAt}, {dueBy}, {updatedAt},
                {nextCheckAt}, {checkCount}, {version}, {customerPhone}
            """;
        return Provider switch
        {
            DatabaseProvider.SqlServer => $"""
                INSERT INTO {orders} ({columns})
                OUTPUT inserted.{id}
                SELECT @externalId, @micoUserId, @region, @sku, @coins, @amount, @currency, @shop, @status,
                    0, 0, 1, 0, 0, @receivedAt, @dueBy, @receivedAt, @receivedAt, 0, @version, @customerPhone
                WHERE NOT EXISTS (SELECT 1 FROM {orders} WITH (UPDLOCK, HOLDLOCK) WHERE {externalId} = @externalId AND {shop} = @shop)
                """,
            DatabaseProvider.PostgreSql => $"""
                INSERT INTO {orders} ({columns})
                VALUES (@externalId, @micoUserId, @region, @sku, @coins, @amount, @currency, @shop, @status,
                    FALSE, FALSE, 1, 0, 0, @receivedAt, @dueBy, @receivedAt, @receivedAt, 0, @version, @customerPhone)
                ON CONFLICT ({externalId}, {shop}) DO NOTHING
                RETURNING {id}
                """,
            _ => $"""
                INSERT INTO {orders} ({columns})
                VALUES ($externalId, $micoUserId, $region, $sku, $coins, $amount, $currency, $shop, $status,
                    0, 0, 1, 0, 0, $receivedAt, $dueBy, $receivedAt, $receivedAt, 0, $version, $customerPhone)
                ON CONFLICT ({externalId}, {shop}) DO NOTHING
                RETURNING {id}
                """,
        };
    }
}
