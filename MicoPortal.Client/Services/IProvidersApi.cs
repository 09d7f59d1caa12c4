using MicoPortal.Shared.Providers;

namespace MicoPortal.Client.Services;

/// <summary>The upstream providers: routing, health, float, and the pause switch (pause and resume are Admin only).</summary>
public interface IProvidersApi
{
    /// <summary><c>GET /api/v1/providers</c>, in the order the server lists them.</summary>
    Task<IReadOnlyList<ProviderDto>> GetProvidersAsync(CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/providers/{name}/pause</c> with <c>{reason}</c>: no new attempt is routed there until resumed.</summary>
    Task<PortalActionResult> PauseAsync(string name, string reason, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/providers/{name}/resume</c>.</summary>
    Task<PortalActionResult> ResumeAsync(string name, CancellationToken cancellationToken = default);
}
