using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hangfire;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// Drains the webhook outbox (docs/api.md section 9), the way <see cref="Notifications.NotificationSender"/>
/// drains the SMS one: claims due Pending events under a lease (two instances never send one at once; a killed
/// sender's events come free when the lease passes), posts each to its shop, and records every try. Unlike SMS,
/// sends do not wait for each other in rounds: a shop that hangs holds its own lane (<see cref="ShopCircuits"/>,
/// at most <see cref="WebhookOptions.Parallelism"/> requests, each cut at <see cref="WebhookOptions.Timeout"/> by the client's pipeline)
/// while the loop keeps claiming for the others. An event is due only when no earlier event of its order is
/// still pending, so one order's events reach the shop in the order they happened.
/// </summary>
public sealed class WebhookSender(
    IDbContextFactory<PortalDbContext> dbFactory,
    IHttpClientFactory httpFactory,
    WebhookSecrets secrets,
    ShopCircuits circuits,
    IOptions<WebhookOptions> options,
    RecurringJobRunner runner,
    WriteGate writeGate,
    TimeProvider time,
    ILogger<WebhookSender> logger)
{
    public const string JobId = "webhook-send";
    public const string HttpClientName = "webhooks";

    public const string DeletedError = "The shop's webhook was deleted before this event was delivered.";

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    /// <summary>While requests are in flight, how often the loop looks for newly due events of the other shops.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>The most a shop's <c>Retry-After</c> is honoured for; beyond it the usual backoff applies.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    private long _sent;

    /// <summary>Events this instance delivered (a 2xx) since it started.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>
    /// Sends until nothing is due or in flight, or the budget is spent. Each send records its own outcome and never
    /// throws; what a run started finishes before the run ends.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Send shop webhooks")]
    public Task SendPendingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var inFlight = new List<Task>();
        return runner.RunAsync(JobId, Budget, async token =>
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            var claimed = settings.Batch - inFlight.Count > 0 ? await ClaimAsync(settings, settings.Batch - inFlight.Count, token) : [];
            foreach (var (delivery, webhook) in claimed)
            {
                inFlight.Add(SendAsync(delivery, webhook, settings, token));
            }

            if (claimed.Count > 0)
            {
                return true; // more may be due for other shops
            }

            if (inFlight.Count == 0)
            {
                return false;
            }

            // A finished request frees a slot; the poll finds events that fell due for the other shops meanwhile.
            await Task.WhenAny(Task.WhenAny(inFlight), Task.Delay(Poll, time, token));
            return true;
        }, cancellationToken, whenDone: () => Task.WhenAll(inFlight));
    }

    /// <summary>
    /// Claims up to <paramref name="room"/> due events, none of a shop without a free slot, each shop no more than
    /// its free slots, and gives those whose circuit stayed open past <see cref="WebhookOptions.GiveUpAfter"/> up.
    /// </summary>
    private async Task<List<(WebhookDelivery Delivery, ShopWebhook? Webhook)>> ClaimAsync(WebhookOptions settings, int room, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await GiveUpBehindOpenCircuitsAsync(db, settings, now, cancellationToken);

        var blocked = circuits.Blocked();
        var due = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State == WebhookDeliveryState.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now)
                && !EF.Parameter(blocked).Contains(d.Shop)
                // Per-order ordering: an earlier event of the order not yet delivered (or given up) holds this one back.
                && !db.WebhookDeliveries.Any(e => e.OrderId == d.OrderId && e.Id < d.Id && e.State == WebhookDeliveryState.Pending))
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
            .Select(d => new { d.Id, d.Shop })
            .Take(room)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return [];
        }

        var picked = new List<long>(due.Count);
        foreach (var shop in due.GroupBy(d => d.Shop))
        {
            picked.AddRange(shop.Take(circuits.FreeSlots(shop.Key)).Select(d => d.Id));
        }

        if (picked.Count == 0)
        {
            return [];
        }

        // The lease condition is checked again in the update: of two instances claiming the same rows, each row goes to one.
        var lease = Guid.NewGuid();
        await writeGate.WriteAsync(db.Database, () => db.WebhookDeliveries
            .Where(d => EF.Parameter(picked).Contains(d.Id) && d.State == WebhookDeliveryState.Pending && (d.LeaseUntil == null || d.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, now + settings.Lease).SetProperty(d => d.LeaseToken, lease), cancellationToken), cancellationToken);
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.LeaseToken == lease).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        var shops = rows.Select(r => r.Shop).Distinct().ToList();
        var webhooks = await db.ShopWebhooks.AsNoTracking().Where(w => EF.Parameter(shops).Contains(w.Shop)).ToDictionaryAsync(w => w.Shop, cancellationToken);

        var claimed = new List<(WebhookDelivery, ShopWebhook?)>(rows.Count);
        try
        {
            foreach (var row in rows)
            {
                if (circuits.TryStart(row.Shop))
                {
                    claimed.Add((row, webhooks.GetValueOrDefault(row.Shop)));
                }
                else
                {
                    // Another claim of this instance took the shop's last slot meanwhile: the row goes back at once.
                    await writeGate.WriteAsync(db.Database, () => db.WebhookDeliveries.Where(d => d.Id == row.Id && d.LeaseToken == lease)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null).SetProperty(d => d.LeaseToken, (Guid?)null), cancellationToken), cancellationToken);
                }
            }
        }
        catch
        {
            // None of these will be sent by this claim (their leases lapse): the slots taken for them must not leak.
            foreach (var (row, _) in claimed)
            {
                circuits.Abandoned(row.Shop);
            }

            throw;
        }

        return claimed;
    }

    /// <summary>
    /// A shop whose circuit stays open gets only probes, so its other events are never tried; they are given up
    /// when their window passes, as a tried event is, with the reason on the row.
    /// </summary>
    private async Task GiveUpBehindOpenCircuitsAsync(PortalDbContext db, WebhookOptions settings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = circuits.Open();
        if (open.Count == 0)
        {
            return;
        }

        var createdBefore = now - settings.GiveUpAfter;
        // Held for longer than the longest cool-down: not an event an admin has just resent (that one gets its try first).
        var heldSince = now - (settings.CircuitCooldown * 16);
        var error = $"Given up: the shop's endpoint kept failing (circuit open) for {settings.GiveUpAfter} after the event.";
        var given = await writeGate.WriteAsync(db.Database, () => db.WebhookDeliveries
            .Where(d => EF.Parameter(open).Contains(d.Shop) && d.State == WebhookDeliveryState.Pending && (d.RetryFrom ?? d.CreatedAt) <= createdBefore
                && d.NextAttemptAt <= heldSince && (d.LeaseUntil == null || d.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, WebhookDeliveryState.Failed)
                .SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(d => d.LastError, error), cancellationToken), cancellationToken);
        if (given > 0)
        {
            logger.LogWarning("{Count} webhook events of shops {Shops} given up behind an open circuit", given, open);
        }
    }

    private async Task SendAsync(WebhookDelivery delivery, ShopWebhook? webhook, WebhookOptions settings, CancellationToken stopping)
    {
        var succeeded = false;
        try
        {
            await Task.Yield(); // the claim loop goes on while this request runs
            using var activity = Telemetry.PortalTelemetry.Source.StartActivity(Telemetry.PortalTelemetry.Spans.WebhookSend)?
                .SetTag(Telemetry.PortalTelemetry.Attributes.OrderId, delivery.OrderId)
                .SetTag(Telemetry.PortalTelemetry.Attributes.Shop, delivery.Shop)
                .SetTag(Telemetry.PortalTelemetry.Attributes.EventId, delivery.EventId)
                .SetTag(Telemetry.PortalTelemetry.Attributes.EventType, delivery.Type)
                .SetTag(Telemetry.PortalTelemetry.Attributes.AttemptNo, delivery.Attempts + 1);
            succeeded = await TryOnceAsync(delivery, webhook, settings, stopping);
            if (!succeeded)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            }
        }
        catch (Exception ex)
        {
            // Recording the outcome failed (the database is away): the lease passes and the event goes again.
            logger.LogWarning(ex, "Webhook event {EventId} (delivery {DeliveryId}) could not be recorded; it goes again when its lease passes", delivery.EventId, delivery.Id);
        }
        finally
        {
            circuits.Finished(delivery.Shop, succeeded);
        }
    }

    private async Task<bool> TryOnceAsync(WebhookDelivery delivery, ShopWebhook? webhook, WebhookOptions settings, CancellationToken stopping)
    {
        if (webhook is null)
        {
            await FinishAsync(delivery, WebhookDeliveryState.Failed, null, DeletedError, null, attempt: null);
            return false;
        }

        if (!secrets.TryReveal(webhook, out var secret))
        {
            // The data protection keys that encrypted it are gone: no try can be signed, so none is made.
            var unreadable = "The shop's webhook secret cannot be read (the portal's data protection keys changed); set the webhook again and resend.";
            logger.LogError("Webhook secret of shop {Shop} cannot be read; event {EventId} failed", delivery.Shop, delivery.EventId);
            await FinishAsync(delivery, WebhookDeliveryState.Failed, null, unreadable, null, attempt: null);
            return false;
        }

        var sentAt = time.GetUtcNow();
        var body = Body(delivery, sentAt);
        var timestamp = sentAt.ToUnixTimeSeconds();
        int? status = null;
        string? error = null;
        TimeSpan? retryAfter = null;
        var started = time.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add(WebhookHeaders.EventId, delivery.EventId);
            request.Headers.Add(WebhookHeaders.Timestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // The scheme of provider callbacks (docs/api.md section 4), with the shop's own secret.
            request.Headers.Add(WebhookHeaders.Signature, CallbackSignature.Sign(secret, timestamp, body));
            // The client's pipeline cuts the request at Webhooks:Timeout (WebhookExtensions).
            using var response = await httpFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stopping);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                {
                    retryAfter = RetryAfter(response.Headers.RetryAfter, sentAt);
                }
            }
        }
        catch (TimeoutRejectedException ex)
        {
            error = $"No answer within {ex.Timeout.TotalSeconds:0.###} s.";
        }
        catch (OperationCanceledException)
        {
            error = "The portal shut down during the request.";
        }
        catch (HttpRequestException ex)
        {
            error = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
        }

        var latency = time.GetElapsedTime(started);
        var now = time.GetUtcNow();
        var succeeded = error is null;
        var attempt = new WebhookAttempt { DeliveryId = delivery.Id, At = sentAt, StatusCode = status, LatencyMs = (int)Math.Min(int.MaxValue, latency.TotalMilliseconds), Error = Truncate(error) };
        if (succeeded)
        {
            Interlocked.Increment(ref _sent);
            await FinishAsync(delivery, WebhookDeliveryState.Succeeded, status, null, null, attempt);
            return true;
        }

        // Retried until the window after the event has passed (so for at least GiveUpAfter), then failed for good.
        var givenUp = now >= (delivery.RetryFrom ?? delivery.CreatedAt) + settings.GiveUpAfter;
        var next = givenUp ? (DateTimeOffset?)null : now + (retryAfter ?? Jittered(settings.EffectiveBackoff, delivery.Attempts + 1));
        await FinishAsync(delivery, givenUp ? WebhookDeliveryState.Failed : WebhookDeliveryState.Pending, status,
            Truncate(givenUp ? $"Given up after {settings.GiveUpAfter}: {error}" : error), next, attempt);
        if (givenUp)
        {
            logger.LogWarning("Webhook event {EventId} to shop {Shop} given up after {Attempts} tries: {Error}", delivery.EventId, delivery.Shop, delivery.Attempts + 1, error);
        }

        return false;
    }

    /// <summary>
    /// Records a try and the event's new state, under our lease and only while the event is still pending (an admin
    /// may have deleted the webhook meanwhile). Saved even during shutdown (no token): the shop has had the request.
    /// </summary>
    private async Task FinishAsync(WebhookDelivery delivery, WebhookDeliveryState state, int? status, string? error, DateTimeOffset? next, WebhookAttempt? attempt)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        using var turn = await writeGate.EnterAsync(db.Database, CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.WebhookDeliveries
            .Where(d => d.Id == delivery.Id && d.LeaseToken == delivery.LeaseToken && d.State == WebhookDeliveryState.Pending)
            .ExecuteUpdateAsync(s =>
            {
                s.SetProperty(d => d.State, state)
                    .SetProperty(d => d.LastError, error)
                    .SetProperty(d => d.NextAttemptAt, next)
                    .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(d => d.LeaseToken, (Guid?)null);
                if (attempt is not null)
                {
                    s.SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.LastStatus, status);
                }

                if (state == WebhookDeliveryState.Succeeded)
                {
                    s.SetProperty(d => d.SucceededAt, now);
                }
            }, CancellationToken.None);
        if (attempt is not null)
        {
            // The try happened whatever became of the lease: the delivery log keeps it.
            db.WebhookAttempts.Add(attempt);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>The request body: <c>{eventId, type, order, sentAt}</c>, with the order written as it was stored.</summary>
    public static byte[] Body(WebhookDelivery delivery, DateTimeOffset sentAt)
    {
        using var buffer = new MemoryStream(delivery.OrderJson.Length + 160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("eventId", delivery.EventId);
            json.WriteString("type", delivery.Type);
            json.WritePropertyName("order");
            json.WriteRawValue(delivery.OrderJson, skipInputValidation: true);
            json.WriteString("sentAt", sentAt);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The wait after try <paramref name="tries"/> (from 1), ±20% so a shop's events do not come back in one wave.</summary>
    private static TimeSpan Jittered(IReadOnlyList<TimeSpan> backoff, int tries)
    {
        var wait = backoff[Math.Clamp(tries, 1, backoff.Count) - 1];
        return wait * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        var wait = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        return wait is { } w && w > TimeSpan.Zero ? (w > MaxRetryAfter ? MaxRetryAfter : w) : null;
    }

    private static string? Truncate(string? text) => text is null || text.Length <= 500 ? text : text[..500];
}
