using System.Net.Http.Json;
using MicoPortal.Shared.Auth;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IAdminApi"/> over the portal's <see cref="HttpClient"/>.</summary>
public sealed class AdminApi(HttpClient http) : IAdminApi
{
    public async Task<IReadOnlyList<ShopApiKeyDto>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        await http.GetRequiredAsync<List<ShopApiKeyDto>>("api/v1/admin/api-keys", cancellationToken);

    public Task<PortalActionResult<CreatedShopApiKeyDto>> CreateApiKeyAsync(CreateShopApiKeyRequest request, CancellationToken cancellationToken = default) =>
        http.SendForValueAsync<CreatedShopApiKeyDto>(HttpMethod.Post, "api/v1/admin/api-keys", request, $"API key created for {request.Shop}.", cancellationToken);

    public Task<PortalActionResult> RevokeApiKeyAsync(long id, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/admin/api-keys/{id}", "API key revoked.", cancellationToken, HttpMethod.Delete);

    public async Task<IReadOnlyList<PortalUserDto>> GetUsersAsync(CancellationToken cancellationToken = default) =>
        await http.GetRequiredAsync<List<PortalUserDto>>("api/v1/admin/users", cancellationToken);

    public Task<PortalActionResult<PortalUserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken = default) =>
        http.SendForValueAsync<PortalUserDto>(HttpMethod.Post, "api/v1/admin/users", request, $"{request.Email} can now sign in.", cancellationToken);

    public Task<PortalActionResult> ChangeUserRoleAsync(string id, string role, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/admin/users/{Uri.EscapeDataString(id)}/role", $"Role changed to {role}.", cancellationToken,
            HttpMethod.Put, JsonContent.Create(new ChangeUserRoleRequest(role), options: PortalJson.Options));

    public Task<PortalActionResult> UnlockUserAsync(string id, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/admin/users/{Uri.EscapeDataString(id)}/unlock", "User unlocked.", cancellationToken);

    public Task<PortalActionResult> DeleteUserAsync(string id, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/admin/users/{Uri.EscapeDataString(id)}", "User deleted.", cancellationToken, HttpMethod.Delete);
}
