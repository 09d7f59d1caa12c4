using System.Text.Json;
using MicoPortal.Server.Data;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// A shop's webhook endpoint for development (<c>POST /sandbox/webhooks/{shop}</c>, only with <c>Sandbox:Enabled</c>):
/// checks each request's signature with the secret the portal gave that shop, as a shop must, takes each event
/// once by its eventId and counts repeats, so a developer sees on the admin page what a shop would receive.
/// In memory, the newest <see cref="Capacity"/> events: demo traffic runs for days.
/// </summary>
public sealed class SandboxWebhookReceiver(IDbContextFactory<PortalDbContext> dbFactory, WebhookSecrets secrets, TimeProvider time)
{
    public const string BasePath = "/sandbox/webhooks";
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Received> _byEventId = new(StringComparer.Ordinal);
    private readonly Queue<string> _arrival = new();

    private sealed class Received(SandboxWebhookDto first)
    {
        public SandboxWebhookDto Event { get; set; } = first;
    }

    /// <summary>204 for an event whose signature holds (a repeat too: the shop already has it), 401 when it does not or the shop has no webhook.</summary>
    public async Task<Results<NoContent, ProblemHttpResult>> ReceiveAsync(string shop, HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var webhook = await db.ShopWebhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Shop == shop, cancellationToken);
        if (webhook is null)
        {
            // No secret to check against: as a wrong signature (nobody can have signed for this shop).
            return Infrastructure.Problems.Of(StatusCodes.Status401Unauthorized, Shared.Common.ErrorCodes.CallbackSignature, $"Shop '{shop}' has no webhook, so no signature can match.");
        }

        var valid = secrets.TryReveal(webhook, out var secret)
            && long.TryParse(request.Headers[WebhookHeaders.Timestamp], System.Globalization.CultureInfo.InvariantCulture, out var timestamp)
            && CallbackSignature.Verify(secret, timestamp, body, request.Headers[WebhookHeaders.Signature]);
        var (eventId, type, orderId) = Read(body);
        eventId ??= request.Headers[WebhookHeaders.EventId].ToString();
        Remember(new SandboxWebhookDto(eventId, shop, type ?? "", orderId, valid, time.GetUtcNow(), 1));
        return valid
            ? TypedResults.NoContent()
            : Infrastructure.Problems.Of(StatusCodes.Status401Unauthorized, Shared.Common.ErrorCodes.CallbackSignature, "The webhook signature does not match the shop's secret.");
    }

    /// <summary>Newest first; with <paramref name="shop"/>, only that shop's.</summary>
    public (IReadOnlyList<SandboxWebhookDto> Items, int Total) List(string? shop, int skip, int take)
    {
        lock (_gate)
        {
            var all = _arrival.Reverse().Select(id => _byEventId[id].Event).Where(e => shop is null || e.Shop == shop).ToList();
            return ([.. all.Skip(skip).Take(take)], all.Count);
        }
    }

    private void Remember(SandboxWebhookDto received)
    {
        lock (_gate)
        {
            if (_byEventId.TryGetValue(received.EventId, out var known))
            {
                // A repeat: counted; the signature counts as good once any delivery of the event carried a good one.
                known.Event = known.Event with { Deliveries = known.Event.Deliveries + 1, SignatureValid = known.Event.SignatureValid || received.SignatureValid };
                return;
            }

            _byEventId[received.EventId] = new Received(received);
            _arrival.Enqueue(received.EventId);
            while (_arrival.Count > Capacity)
            {
                _byEventId.Remove(_arrival.Dequeue());
            }
        }
    }

    private static (string? EventId, string? Type, long OrderId) Read(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return (Text(root, "eventId"), Text(root, "type"),
                root.TryGetProperty("order", out var order) && order.TryGetProperty("id", out var id) && id.TryGetInt64(out var value) ? value : 0);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return (null, null, 0);
        }

        static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
