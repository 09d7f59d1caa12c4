using MicoPortal.Shared.Auth;

namespace MicoPortal.Client.Services;

/// <summary>Who is signed in, asked once per app session and shared by the layout and pages.</summary>
public sealed class CurrentUserState(IPortalApi api)
{
    private Task<CurrentUserDto?>? _user;

    /// <summary>The signed-in user, or <c>null</c> when nobody is signed in or the portal could not say.</summary>
    public Task<CurrentUserDto?> GetAsync()
    {
        return _user ??= LoadAsync();

        async Task<CurrentUserDto?> LoadAsync()
        {
            try
            {
                return await api.GetCurrentUserAsync();
            }
            catch (Exception ex) when (ex is PortalApiException or HttpRequestException)
            {
                _user = null; // ask again next time
                return null;
            }
        }
    }
}
