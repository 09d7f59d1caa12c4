using System.Collections.Concurrent;
using MicoPortal.Server.Notifications;
using MicoPortal.Shared.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Notifications;

/// <summary>The outbox sender against fake gateways: retries, refusals, leases, and two senders at once.</summary>
public sealed class NotificationSenderTests(ITestOutputHelper output) : OutboxTests(output)
{
    [Fact]
    public async Task A_transient_failure_waits_and_tries_again_with_the_same_idempotency_key()
    {
        var id = await AddPendingAsync();
        var gateway = ScriptedGateway.Answering(_ => throw new HttpRequestException("connection reset"), _ => new SmsReceipt("G-1"));
        var sender = Sender(gateway);

        Assert.Equal(1, await sender.SendOnceAsync(CancellationToken.None));
        var afterFirst = await ReadAsync(id);
        Assert.Equal(NotificationStatus.Pending, afterFirst.Status);
        Assert.Equal(1, afterFirst.Tries);
        Assert.Contains("connection reset", afterFirst.Error);
        Assert.Equal(Start.AddSeconds(5), afterFirst.NextTryAt);
        Assert.Null(afterFirst.LeaseUntil);

        Assert.Equal(0, await sender.SendOnceAsync(CancellationToken.None)); // not due yet
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await sender.SendOnceAsync(CancellationToken.None));

        var sent = await ReadAsync(id);
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(2, sent.Tries);
        Assert.Equal("G-1", sent.GatewayMessageId);
        Assert.Equal(Start.AddSeconds(5), sent.SentAt);
        Assert.Null(sent.Error);
        Assert.Equal([$"notification-{id}", $"notification-{id}"], gateway.Keys);
    }

    [Fact]
    public async Task A_permanent_refusal_fails_at_once_and_retry_after_is_honoured()
    {
        var refused = await AddPendingAsync();
        var throttled = await AddPendingAsync();
        var gateway = ScriptedGateway.Answering(m => m.IdempotencyKey.EndsWith($"-{refused}", StringComparison.Ordinal)
            ? throw new SmsGatewayException("Twilio answered 400: invalid 'To' number", permanent: true)
            : throw new SmsGatewayException("Twilio answered 429", permanent: false, TimeSpan.FromSeconds(42)));

        await Sender(gateway).SendOnceAsync(CancellationToken.None);

        var failed = await ReadAsync(refused);
        Assert.Equal(NotificationStatus.Failed, failed.Status);
        Assert.Contains("invalid 'To' number", failed.Error);
        var waiting = await ReadAsync(throttled);
        Assert.Equal(NotificationStatus.Pending, waiting.Status);
        Assert.Equal(Start.AddSeconds(42), waiting.NextTryAt);
    }

    [Fact]
    public async Task Transient_failures_give_up_after_the_configured_tries()
    {
        var id = await AddPendingAsync();
        var sender = Sender(ScriptedGateway.Answering(_ => throw new TimeoutException("gateway timed out")), maxTries: 3);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, await sender.SendOnceAsync(CancellationToken.None));
            Time.Advance(TimeSpan.FromMinutes(10));
        }

        var notification = await ReadAsync(id);
        Assert.Equal(NotificationStatus.Failed, notification.Status);
        Assert.Equal(3, notification.Tries);
        Assert.Equal(0, await sender.SendOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_crashed_senders_claim_comes_free_when_its_lease_passes()
    {
        var id = await AddPendingAsync();
        // A sender that claimed the row and died before sending: only the lease is left behind.
        await using (var db = await Db.CreateDbContextAsync())
        {
            await db.CustomerNotifications.Where(n => n.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(n => n.LeaseUntil, Start.AddSeconds(60)).SetProperty(n => n.LeaseToken, Guid.NewGuid()));
        }

        var gateway = ScriptedGateway.Answering(_ => new SmsReceipt("G-2"));
        var sender = Sender(gateway);
        Assert.Equal(0, await sender.SendOnceAsync(CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await sender.SendOnceAsync(CancellationToken.None));

        Assert.Equal(NotificationStatus.Sent, (await ReadAsync(id)).Status);
        Assert.Single(gateway.Keys);
    }

    [Fact]
    public async Task Two_senders_draining_one_outbox_send_every_notification_once()
    {
        var ids = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            ids.Add(await AddPendingAsync());
        }

        var gateway = new ScriptedGateway(async m =>
        {
            await Task.Delay(Random.Shared.Next(0, 3));
            return new SmsReceipt($"G-{m.IdempotencyKey}");
        });
        var one = Sender(gateway, batch: 20);
        var two = Sender(gateway, batch: 20);

        async Task DrainAsync(NotificationSender sender)
        {
            while (await sender.SendOnceAsync(CancellationToken.None) > 0)
            {
            }
        }

        await Task.WhenAll(DrainAsync(one), DrainAsync(two));

        await using var db = await Db.CreateDbContextAsync();
        Assert.Equal(300, await db.CustomerNotifications.CountAsync(n => n.Status == NotificationStatus.Sent));
        Assert.Equal(300, gateway.Keys.Count);
        Assert.Equal(300, gateway.Keys.Distinct().Count());
    }

    private NotificationSender Sender(ISmsGateway gateway, int batch = 50, int maxTries = 8) => CreateSender(gateway,
        Options.Create(new NotificationOptions { Batch = batch, MaxTries = maxTries, Gateway = SmsGatewayKind.Sandbox }));

    /// <summary>Answers each send with the next step (the last one repeats), recording the keys it was given.</summary>
    private sealed class ScriptedGateway(params Func<SmsMessage, Task<SmsReceipt>>[] steps) : ISmsGateway
    {
        private int _calls;

        public static ScriptedGateway Answering(params Func<SmsMessage, SmsReceipt>[] steps) =>
            new([.. steps.Select(step => (Func<SmsMessage, Task<SmsReceipt>>)(m => Task.FromResult(step(m))))]);

        public ConcurrentQueue<string> Keys { get; } = new();

        public string Name => "scripted";

        public async Task<SmsReceipt> SendAsync(SmsMessage message, CancellationToken cancellationToken)
        {
            Keys.Enqueue(message.IdempotencyKey);
            var call = Interlocked.Increment(ref _calls) - 1;
            return await steps[Math.Min(call, steps.Length - 1)](message);
        }
    }
}
