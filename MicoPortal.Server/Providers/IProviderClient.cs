namespace MicoPortal.Server.Providers;

/// <summary>The upstream provider API of docs/api.md section 4. Never throws for provider faults: every answer is a result.</summary>
public interface IProviderClient
{
    Task<CreateResult> CreateOrderAsync(ProviderCreateOrderRequest request, CancellationToken cancellationToken);

    /// <summary>Status of up to 500 references in one call.</summary>
    Task<QueryResult> QueryOrdersAsync(IReadOnlyList<string> clientRefs, CancellationToken cancellationToken);

    Task<LookupResult> LookupAccountAsync(ProviderLookupRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/balance</c>: the prepaid float (docs/api.md section 8).</summary>
    Task<BalanceResult> GetBalanceAsync(CancellationToken cancellationToken);
}
