using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IAuditApi"/> over the portal's <see cref="HttpClient"/>.</summary>
public sealed class AuditApi(HttpClient http) : IAuditApi
{
    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<AuditVerification>("api/v1/audit/verify", cancellationToken);

    public Task<PagedResult<AuditEntryDto>> GetEntriesAsync(long? orderId, string? action, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (orderId is { } id)
        {
            query.Add($"orderId={id}");
        }

        if (!string.IsNullOrWhiteSpace(action))
        {
            query.Add($"action={Uri.EscapeDataString(action.Trim())}");
        }

        query.Add($"page={page}");
        query.Add($"pageSize={pageSize}");
        return http.GetRequiredAsync<PagedResult<AuditEntryDto>>($"api/v1/audit/entries?{string.Join('&', query)}", cancellationToken);
    }
}
