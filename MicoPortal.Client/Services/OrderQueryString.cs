using System.Globalization;
using System.Text;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Services;

/// <summary>Writes an <see cref="OrderListQuery"/> as the query string of <c>GET /api/v1/orders</c> and its CSV export.</summary>
public static class OrderQueryString
{
    public static string Build(OrderListQuery query, bool includePaging = true)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("externalId", query.ExternalId);
        Add("status", query.Status?.ToString());
        Add("stuck", Bool(query.Stuck));
        Add("disputed", Bool(query.Disputed));
        Add("attention", Bool(query.Attention));
        Add("waiting", Bool(query.Waiting));
        Add("from", Time(query.From));
        Add("to", Time(query.To));
        Add("q", query.Q?.Trim());
        if (includePaging)
        {
            Add("page", query.Page.ToString(CultureInfo.InvariantCulture));
            Add("pageSize", query.PageSize.ToString(CultureInfo.InvariantCulture));
        }
        Add("sort", query.Sort);
        if (query.Sort is not null || includePaging)
        {
            Add("desc", Bool(query.Desc));
        }

        var builder = new StringBuilder();
        builder.AppendJoin('&', parts);
        return builder.ToString();
    }

    private static string? Bool(bool? value) => value switch
    {
        true => "true",
        false => "false",
        null => null,
    };

    private static string? Time(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
