namespace MicoPortal.Server.Auth;

public static class ActorName
{
    /// <summary>Who did it, for the record of admin actions (keys, users): the signed-in user's name.</summary>
    public static string Of(HttpContext http) => http.User.Identity?.Name ?? "unknown";
}
