using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MicoPortal.Server.Data;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Webhooks;

/// <summary>What the webhook tests share: setting an endpoint, and judging what a receiver took against the orders' history.</summary>
internal static partial class WebhookChecks
{
    /// <summary>Sets the shop's endpoint through the admin API and tells the receiver the secret it answered.</summary>
    public static async Task<string> SetWebhookAsync(HttpClient admin, ShopReceiver receiver, string shop)
    {
        var response = await admin.PutAsJsonAsync($"/api/v1/admin/shops/{shop}/webhook", new SetShopWebhookRequest(receiver.UrlFor(shop)));
        response.EnsureSuccessStatusCode();
        var answer = (await response.Content.ReadFromJsonAsync<ShopWebhookSecretDto>(PortalClient.Json))!;
        receiver.SetSecret(shop, answer.Secret);
        return answer.Secret;
    }

    /// <summary>
    /// The events each order must have produced, from its audit trail (every saved status change is an
    /// <c>order.transition</c> entry "ref From → To ..."): one per change into Delivered, Failed or Reversed, in order.
    /// </summary>
    public static async Task<Dictionary<long, List<string>>> ExpectedEventsAsync(PortalDbContext db)
    {
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.OrderTransition && e.OrderId != null)
            .OrderBy(e => e.Id)
            .Select(e => new { OrderId = e.OrderId!.Value, e.Details })
            .ToListAsync();
        var expected = new Dictionary<long, List<string>>();
        foreach (var entry in entries)
        {
            var match = Transition().Match(entry.Details);
            if (!match.Success || match.Groups[1].Value == match.Groups[2].Value)
            {
                continue;
            }

            var type = match.Groups[2].Value switch
            {
                "Delivered" => WebhookEventTypes.OrderDelivered,
                "Failed" => WebhookEventTypes.OrderFailed,
                "Reversed" => WebhookEventTypes.OrderReversed,
                _ => null,
            };
            if (type is not null)
            {
                (expected.TryGetValue(entry.OrderId, out var list) ? list : expected[entry.OrderId] = []).Add(type);
            }
        }

        return expected;
    }

    /// <summary>Every difference between the events expected per order and the ones the receiver took (in arrival order).</summary>
    public static List<string> Compare(Dictionary<long, List<string>> expected, IEnumerable<ReceivedEvent> accepted)
    {
        var received = accepted.GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.Select(e => e.Type).ToList());
        var violations = new List<string>();
        foreach (var orderId in expected.Keys.Union(received.Keys).Order())
        {
            var want = expected.GetValueOrDefault(orderId) ?? [];
            var got = received.GetValueOrDefault(orderId) ?? [];
            if (!want.SequenceEqual(got))
            {
                violations.Add($"order {orderId}: expected [{string.Join(", ", want)}], received [{string.Join(", ", got)}]");
            }
        }

        return violations;
    }

    [GeneratedRegex(@"^\S+ (\w+) → (\w+)")]
    private static partial Regex Transition();
}
