using System.Data.Common;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Tests.Pipeline;

/// <summary>
/// A sweep's claim leases due orders and then reads back what it leased. Seen in the verify benchmark: a
/// callback written between the two (it renews the order's concurrency token) made the read miss an order the
/// claim had leased, and that order, holding a SUCCESS callback, waited a minute for its lease to run out.
/// Here a second writer is let in right after the lease: the claim must still hand over every order it leased.
/// </summary>
public sealed class ClaimRaceTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"micoportal-claim-{Guid.NewGuid():N}.db");
    private DatabaseProvider _provider;
    private string _connectionString = "";
    private PostgresServer? _postgres;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*"))
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task An_order_written_by_someone_else_right_after_the_lease_is_still_handed_to_the_claimer(DatabaseProvider provider)
    {
        _provider = provider;
        if (provider == DatabaseProvider.PostgreSql)
        {
            _postgres = await PostgresServer.StartAsync();
            _connectionString = await _postgres.CreateDatabaseAsync("claims");
        }
        else
        {
            _connectionString = $"Data Source={_path}";
        }

        await using (var migrate = Context())
        {
            await migrate.Database.MigrateAsync();
        }

        var now = DateTimeOffset.UtcNow;
        long id;
        await using (var seed = Context())
        {
            var order = TestOrders.Submitted("race-1", now.AddSeconds(-5));
            seed.Orders.Add(order);
            await seed.SaveChangesAsync();
            id = order.Id;
        }

        // What a callback does to the order: a write that renews its token, from another context.
        // SQLite leases through EF (the interceptor sees the UPDATE); PostgreSQL in one statement of its own,
        // so there the first command EF runs is already the read-back.
        var interloper = new InterloperAfterLease(armed: provider != DatabaseProvider.Sqlite, async () =>
        {
            await using var other = Context();
            await other.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Version, Guid.NewGuid()).SetProperty(o => o.CallbackVersion, 1));
        });
        await using var db = Context(interloper);
        var claims = new OrderClaims(TimeProvider.System, Options.Create(new VerificationOptions()), new WriteGate(), NullLogger<OrderClaims>.Instance);

        var batch = await claims.ClaimForVerifyAsync(db, 10, CancellationToken.None);
        await interloper.Done;

        await using var check = Context();
        var stored = await check.Orders.AsNoTracking().SingleAsync(o => o.Id == id);
        Assert.Equal(batch.Lease, stored.LeaseUntil); // leased by this claim...
        Assert.Equal(1, stored.CallbackVersion); // ...the other write happened...
        Assert.Contains(batch.Orders, o => o.Id == id); // ...and the claimer holds the order it leased.
    }

    private PortalDbContext Context(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalDatabase(_provider, _connectionString);
        options.AddInterceptors(interceptors);
        return new PortalDbContext(options.Options);
    }

    /// <summary>
    /// After the claim's lease and before it reads back what it leased, starts <paramref name="write"/> on another
    /// connection and gives it a second to finish before the read (it cannot finish while the claim holds the lock).
    /// </summary>
    private sealed class InterloperAfterLease(bool armed, Func<Task> write) : DbCommandInterceptor
    {
        private bool _armed = armed;
        private Task? _write;

        public Task Done => _write ?? throw new InvalidOperationException("The claim never read back what it leased.");

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            _armed |= command.CommandText.StartsWith("UPDATE", StringComparison.Ordinal) && command.CommandText.Contains("\"LeaseUntil\"", StringComparison.Ordinal);
            return ValueTask.FromResult(result);
        }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (_armed && _write is null)
            {
                _write = Task.Run(write, CancellationToken.None);
                await Task.WhenAny(_write, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
            }

            return result;
        }
    }
}
