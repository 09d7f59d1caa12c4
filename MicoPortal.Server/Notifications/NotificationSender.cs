using Hangfire;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Notifications;

/// <summary>
/// Drains the outbox: claims due Pending notifications under a lease (so two instances never send
/// one at once), hands each to the <see cref="ISmsGateway"/> and records the outcome right after its
/// own call. Each try is saved before the message leaves, so a row tried before (even by a process
/// killed mid-send) is first looked up at the gateway (<see cref="ISmsGateway.FindSentAsync"/>): a gateway
/// without idempotency keys (Twilio) may have taken a message whose answer was lost. A crashed
/// sender's claims come free when the lease passes.
/// </summary>
public sealed class NotificationSender(
    IDbContextFactory<PortalDbContext> dbFactory,
    ISmsGateway gateway,
    IOptions<NotificationOptions> options,
    RecurringJobRunner runner,
    IHostApplicationLifetime lifetime,
    WriteGate writeGate,
    TimeProvider time,
    ILogger<NotificationSender> logger)
{
    public const string JobId = "notification-send";

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    /// <summary>Waits between tries of a transient failure; the last one repeats.</summary>
    private static readonly TimeSpan[] Backoff =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)];

    /// <summary>Sends until nothing is due or the budget is spent.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Send customer notifications")]
    public Task SendPendingAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(JobId, Budget, async token => await SendOnceAsync(token) > 0, cancellationToken);

    /// <summary>One batch; returns how many notifications it claimed.</summary>
    public async Task<int> SendOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var claimed = await ClaimAsync(settings, cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        // Shutdown does not cut a send in half: what was started finishes; the rest keeps its lease until it passes.
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken },
            async (notification, token) => await SendAsync(notification, settings, token));
        return claimed.Count;
    }

    private async Task<List<CustomerNotification>> ClaimAsync(NotificationOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = Guid.NewGuid();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.CustomerNotifications.AsNoTracking()
            .Where(n => n.Status == NotificationStatus.Pending && n.NextTryAt <= now && (n.LeaseUntil == null || n.LeaseUntil < now))
            .OrderBy(n => n.NextTryAt).ThenBy(n => n.Id)
            .Select(n => n.Id)
            .Take(settings.Batch)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return [];
        }

        // The lease condition is checked again in the update: of two instances claiming the same rows, each row goes to one.
        await writeGate.WriteAsync(db.Database, () => db.CustomerNotifications
            .Where(n => due.Contains(n.Id) && n.Status == NotificationStatus.Pending && (n.LeaseUntil == null || n.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.LeaseUntil, now + settings.Lease).SetProperty(n => n.LeaseToken, lease), cancellationToken), cancellationToken);
        return await db.CustomerNotifications.AsNoTracking().Where(n => n.LeaseToken == lease).ToListAsync(cancellationToken);
    }

    private async Task SendAsync(CustomerNotification notification, NotificationOptions settings, CancellationToken cancellationToken)
    {
        var tries = notification.Tries + 1;
        // The try is saved before the message leaves: a process killed during the send leaves a row that says it was
        // tried, so the next try looks it up at the gateway instead of sending it again. A lost lease sends nothing.
        await using (var before = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var ours = await writeGate.WriteAsync(before.Database, () => before.CustomerNotifications
                .Where(n => n.Id == notification.Id && n.LeaseToken == notification.LeaseToken)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.Tries, tries), cancellationToken), cancellationToken);
            if (ours == 0)
            {
                return;
            }
        }

        SmsReceipt? receipt = null;
        SmsGatewayException? refusal = null;
        string? error = null;
        using (var call = new CancellationTokenSource(settings.Timeout, time))
        {
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(call.Token, lifetime.ApplicationStopping);
                var message = new SmsMessage(IdempotencyKey(notification), notification.To, notification.Text);
                // A try before this one may have reached the gateway with its answer lost (a timeout after the gateway
                // took the message): ask before sending again. A failed look-up leaves the row for a later try unsent.
                if (tries > 1)
                {
                    receipt = await gateway.FindSentAsync(message, notification.CreatedAt, linked.Token);
                    if (receipt is not null)
                    {
                        logger.LogInformation("Notification {NotificationId} was already taken by {Gateway} as {MessageId}; not sent again", notification.Id, gateway.Name, receipt.MessageId);
                    }
                }

                receipt ??= await gateway.SendAsync(message, linked.Token);
            }
            catch (SmsGatewayException ex)
            {
                refusal = ex;
                error = ex.Message;
            }
            catch (Exception ex)
            {
                // Timeouts, dropped connections, a gateway bug: the outcome is unknown, so the same key goes again later.
                error = $"{gateway.Name}: {ex.GetType().Name}: {ex.Message}";
            }
        }

        var now = time.GetUtcNow();
        var givenUp = refusal?.Permanent == true || (receipt is null && tries >= settings.MaxTries);
        var status = receipt is not null ? NotificationStatus.Sent : givenUp ? NotificationStatus.Failed : NotificationStatus.Pending;
        var nextTry = now + (refusal?.RetryAfter ?? Backoff[Math.Min(tries, Backoff.Length) - 1]);
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        // Saved even during shutdown (no token): the send happened, and forgetting that would repeat it.
        await writeGate.WriteAsync(db.Database, () => db.CustomerNotifications
            .Where(n => n.Id == notification.Id && n.LeaseToken == notification.LeaseToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Status, status)
                .SetProperty(n => n.Tries, tries)
                .SetProperty(n => n.SentAt, receipt == null ? (DateTimeOffset?)null : now)
                .SetProperty(n => n.GatewayMessageId, receipt == null ? null : receipt.MessageId)
                .SetProperty(n => n.Error, error)
                .SetProperty(n => n.NextTryAt, nextTry)
                .SetProperty(n => n.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(n => n.LeaseToken, (Guid?)null), CancellationToken.None), CancellationToken.None);

        if (status == NotificationStatus.Failed)
        {
            logger.LogWarning("Notification {NotificationId} for order {OrderId} given up after {Tries} tries: {Error}", notification.Id, notification.OrderId, tries, error);
        }
        else if (receipt is null)
        {
            logger.LogInformation("Notification {NotificationId} for order {OrderId} not sent (try {Tries}), next at {NextTry}: {Error}", notification.Id, notification.OrderId, tries, nextTry, error);
        }
    }

    /// <summary>Stable over every try and every instance: the outbox row's id.</summary>
    public static string IdempotencyKey(CustomerNotification notification) => $"notification-{notification.Id}";
}
