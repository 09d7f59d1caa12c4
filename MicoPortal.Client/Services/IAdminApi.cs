using MicoPortal.Shared.Auth;

namespace MicoPortal.Client.Services;

/// <summary>The admin API of the portal: shops' API keys and the people who sign in. Admin only.</summary>
public interface IAdminApi
{
    /// <summary><c>GET /api/v1/admin/api-keys</c>.</summary>
    Task<IReadOnlyList<ShopApiKeyDto>> GetApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/admin/api-keys</c>; the answer holds the key, shown only this once.</summary>
    Task<PortalActionResult<CreatedShopApiKeyDto>> CreateApiKeyAsync(CreateShopApiKeyRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/v1/admin/api-keys/{id}</c>.</summary>
    Task<PortalActionResult> RevokeApiKeyAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/admin/users</c>.</summary>
    Task<IReadOnlyList<PortalUserDto>> GetUsersAsync(CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/admin/users</c>.</summary>
    Task<PortalActionResult<PortalUserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /api/v1/admin/users/{id}/role</c>.</summary>
    Task<PortalActionResult> ChangeUserRoleAsync(string id, string role, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/admin/users/{id}/unlock</c>.</summary>
    Task<PortalActionResult> UnlockUserAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/v1/admin/users/{id}</c>.</summary>
    Task<PortalActionResult> DeleteUserAsync(string id, CancellationToken cancellationToken = default);
}
