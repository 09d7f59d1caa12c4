using MicoPortal.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Notifications;

/// <summary>A message the sandbox sink received. One row per idempotency key; repeats only count up <see cref="Deliveries"/>.</summary>
public sealed class SandboxSmsMessage
{
    public long Id { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string To { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>Times the portal handed this message over; above 1 means a send was repeated (after a crash in mid-call).</summary>
    public int Deliveries { get; set; }

    public string MessageId => $"SB{Id:D10}";
}

/// <summary>
/// The development SMS gateway: keeps every message in the portal's own database (so it survives
/// restarts and can be counted by crash tests) and shows them on the admin notifications page.
/// Like a real gateway with idempotency keys, a repeated key is answered with the first message's id
/// (and counted in <see cref="SandboxSmsMessage.Deliveries"/>: a gateway without keys would have sent it again).
/// </summary>
public sealed class SandboxSmsSink(IDbContextFactory<PortalDbContext> dbFactory, IOptions<NotificationOptions> options, TimeProvider time) : ISmsGateway
{
    public string Name => "sandbox";

    public async Task<SmsReceipt> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        var halfTrip = options.Value.SandboxLatency / 2;
        if (halfTrip > TimeSpan.Zero)
        {
            await Task.Delay(halfTrip, time, cancellationToken);
        }

        var receipt = await StoreAsync(message, cancellationToken);
        if (halfTrip > TimeSpan.Zero)
        {
            await Task.Delay(halfTrip, time, CancellationToken.None); // stored: the answer is on its way whatever happens
        }

        return receipt;
    }

    /// <summary>
    /// The look-up a gateway without idempotency keys needs (Twilio's message list): the sender asks before it sends a
    /// row again, so the sink's <see cref="SandboxSmsMessage.Deliveries"/> counts what a gateway without keys would
    /// have sent, and crash tests can hold the sender to exactly one.
    /// </summary>
    public async Task<SmsReceipt?> FindSentAsync(SmsMessage message, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (options.Value.SandboxLatency > TimeSpan.Zero)
        {
            await Task.Delay(options.Value.SandboxLatency, time, cancellationToken);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var taken = await db.SandboxSmsMessages.AsNoTracking().FirstOrDefaultAsync(m => m.IdempotencyKey == message.IdempotencyKey, cancellationToken);
        return taken is null ? null : new SmsReceipt(taken.MessageId);
    }

    private async Task<SmsReceipt> StoreAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        for (var round = 0; ; round++)
        {
            var existing = await db.SandboxSmsMessages.FirstOrDefaultAsync(m => m.IdempotencyKey == message.IdempotencyKey, cancellationToken);
            if (existing is not null)
            {
                existing.Deliveries++;
                await db.SaveChangesAsync(cancellationToken);
                return new SmsReceipt(existing.MessageId);
            }

            var received = new SandboxSmsMessage
            {
                IdempotencyKey = message.IdempotencyKey,
                To = message.To,
                Text = message.Text,
                ReceivedAt = time.GetUtcNow(),
                Deliveries = 1,
            };
            db.SandboxSmsMessages.Add(received);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new SmsReceipt(received.MessageId);
            }
            catch (DbUpdateException) when (round == 0)
            {
                // The same key arrived at the same moment from another sender: count this one as its repeat.
                db.Entry(received).State = EntityState.Detached;
            }
        }
    }
}
