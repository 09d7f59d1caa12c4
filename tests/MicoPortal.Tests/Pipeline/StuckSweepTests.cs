using MicoPortal.Server.Orders;
using MicoPortal.Server.Realtime;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Pipeline;

/// <summary>
/// The stuck flag is set through the state machine like every other change of an order's flags: each order flagged
/// gets its timeline entry and audit entry, the live feed hears of it, and a final order is never flagged.
/// </summary>
public sealed class StuckSweepTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PortalFactory _portal = null!;

    public Task InitializeAsync()
    {
        // No sweeps of its own: the test runs the stuck sweep by hand on orders it writes.
        _portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Verification:Enabled"] = "false",
            ["Demo:OrdersPerSecond"] = "0",
        }, output);
        _portal.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Open_orders_past_their_SLA_are_flagged_with_a_timeline_entry_an_audit_entry_and_a_live_change()
    {
        var now = _portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var overdue = TestOrders.Submitted("stuck-1", now.AddMinutes(-20));
        var unknown = TestOrders.Submitted("stuck-2", now.AddMinutes(-16));
        unknown.Status = OrderStatus.Unknown;
        var delivered = TestOrders.Submitted("done-1", now.AddMinutes(-20));
        delivered.Status = OrderStatus.Delivered;
        var fresh = TestOrders.Submitted("fresh-1", now.AddMinutes(-1));
        var leased = now.AddMinutes(1);
        overdue.LeaseUntil = leased;
        await _portal.WithDbAsync(async db =>
        {
            db.Orders.AddRange(overdue, unknown, delivered, fresh);
            return await db.SaveChangesAsync();
        });

        using var feed = _portal.Services.GetRequiredService<OrderChangeFeed>().Subscribe();
        var flagged = await _portal.Services.GetRequiredService<StuckSweep>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, flagged);
        var rows = await _portal.WithDbAsync(db => db.Orders.AsNoTracking().ToDictionaryAsync(o => o.ExternalId));
        Assert.True(rows["stuck-1"].Stuck);
        Assert.True(rows["stuck-2"].Stuck);
        Assert.False(rows["done-1"].Stuck);
        Assert.False(rows["fresh-1"].Stuck);
        Assert.Equal(OrderStatus.Submitted, rows["stuck-1"].Status);
        Assert.Equal(leased, rows["stuck-1"].LeaseUntil!.Value, TimeSpan.FromMilliseconds(1)); // a sweep working on it keeps it

        var attempts = await _portal.WithDbAsync(db => db.OrderAttempts.AsNoTracking().Where(a => a.Kind == AttemptKind.Sla).ToListAsync());
        Assert.Equal([overdue.Id, unknown.Id], attempts.Select(a => a.OrderId).Order());
        Assert.All(attempts, a => Assert.Equal("not final past its SLA", a.Outcome));
        var audit = await _portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.OrderTransition && e.Details.Contains("[stuck]")).ToListAsync());
        Assert.Equal([overdue.Id, unknown.Id], audit.Select(e => e.OrderId!.Value).Order());

        var changes = new List<OrderChange>();
        while (feed.Reader.TryRead(out var change))
        {
            changes.Add(change);
        }

        Assert.Equal([overdue.Id, unknown.Id], changes.Where(c => c.Stuck).Select(c => c.Id).Order());

        // A second round finds nothing more to flag.
        Assert.Equal(0, await _portal.Services.GetRequiredService<StuckSweep>().RunOnceAsync(CancellationToken.None));
    }
}
