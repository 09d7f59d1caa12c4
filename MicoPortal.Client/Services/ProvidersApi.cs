using System.Net.Http.Json;
using MicoPortal.Shared.Providers;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IProvidersApi"/> over the portal's <see cref="HttpClient"/>.</summary>
public sealed class ProvidersApi(HttpClient http) : IProvidersApi
{
    public async Task<IReadOnlyList<ProviderDto>> GetProvidersAsync(CancellationToken cancellationToken = default) =>
        (await http.GetRequiredAsync<ProviderListResponse>("api/v1/providers", cancellationToken)).Items ?? [];

    public Task<PortalActionResult> PauseAsync(string name, string reason, CancellationToken cancellationToken = default) =>
        http.SendActionAsync(PathOf(name, "pause"), $"{name} is paused: no new attempt goes there until it is resumed.", cancellationToken,
            HttpMethod.Post, JsonContent.Create(new PauseProviderRequest(reason), options: PortalJson.Options));

    public Task<PortalActionResult> ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        http.SendActionAsync(PathOf(name, "resume"), $"{name} is resumed: new attempts may go there again.", cancellationToken);

    // Provider names come from configuration; escape them so a name with '/' or spaces still names one route.
    private static string PathOf(string name, string action) => $"api/v1/providers/{Uri.EscapeDataString(name)}/{action}";
}
