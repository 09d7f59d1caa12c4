using MicoPortal.Server.Data;
using MicoPortal.Server.Notifications;
using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Notifications;

/// <summary>
/// Tests that fill the outbox and drive senders by hand: each test gets its own portal (own data directory) whose
/// own sender is off, and a fake clock that starts at <see cref="Start"/>.
/// </summary>
public abstract class OutboxTests(ITestOutputHelper output) : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private PortalFactory _factory = null!;

    protected FakeTimeProvider Time { get; } = new(Start);

    protected IDbContextFactory<PortalDbContext> Db { get; private set; } = null!;

    public Task InitializeAsync()
    {
        // The portal's own sender stays off: these tests drive senders by hand.
        _factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Notifications:SendEnabled"] = "false" }, output);
        _factory.StartServer();
        Db = _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    /// <summary>A sender on this test's database and clock.</summary>
    protected NotificationSender CreateSender(ISmsGateway gateway, IOptions<NotificationOptions> options) => new(Db, gateway, options,
        _factory.Services.GetRequiredService<MicoPortal.Server.Infrastructure.RecurringJobRunner>(), _factory.Services.GetRequiredService<IHostApplicationLifetime>(),
        _factory.Services.GetRequiredService<MicoPortal.Server.Data.WriteGate>(), Time, NullLogger<NotificationSender>.Instance);

    /// <summary>An SMS for order 1 that is due at <see cref="Start"/>.</summary>
    protected async Task<long> AddPendingAsync(string to = "+971501234567", string text = "Your 500 MICO coins for account 12345610 have arrived (order t-1).")
    {
        await using var db = await Db.CreateDbContextAsync();
        var notification = new CustomerNotification
        {
            OrderId = 1,
            DeliveryAttemptNo = 1,
            OrderStatus = OrderStatus.Delivered,
            Channel = NotificationChannels.Sms,
            To = to,
            Text = text,
            Status = NotificationStatus.Pending,
            CreatedAt = Start,
            NextTryAt = Start,
        };
        db.CustomerNotifications.Add(notification);
        await db.SaveChangesAsync();
        return notification.Id;
    }

    protected async Task<CustomerNotification> ReadAsync(long id)
    {
        await using var db = await Db.CreateDbContextAsync();
        return await db.CustomerNotifications.AsNoTracking().SingleAsync(n => n.Id == id);
    }
}
