using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Reads what a run takes from a Microsoft.PowerShell.Commands.WebRequestSession: its cookie jar (shared, so
/// cookies the server sets are seen by later requests and by the caller afterwards, as with Invoke-RestMethod),
/// its headers, user agent and credentials. Through PSObject, as the type lives in PowerShell's utility
/// assembly, which the module does not reference.
/// </summary>
internal static class WebSessionReader
{
    private const string TypeName = "Microsoft.PowerShell.Commands.WebRequestSession";

    public static bool IsSession(PSObject value) =>
        value.BaseObject.GetType().FullName == TypeName || value.Properties["Cookies"]?.Value is CookieContainer;

    public static WebSessionValues Read(PSObject session)
    {
        var values = new WebSessionValues
        {
            Cookies = session.Properties["Cookies"]?.Value as CookieContainer,
            UserAgent = session.Properties["UserAgent"]?.Value as string,
            Credentials = session.Properties["Credentials"]?.Value as ICredentials,
        };

        object? headers = session.Properties["Headers"]?.Value;
        if (headers is PSObject pso)
        {
            headers = pso.BaseObject;
        }

        if (headers is IDictionary table)
        {
            foreach (DictionaryEntry entry in table)
            {
                string name = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                string value = Convert.ToString(entry.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                values.Headers.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        return values;
    }
}
