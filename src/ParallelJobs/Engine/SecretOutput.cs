using System.Collections;
using System.Management.Automation;
using System.Security;

namespace ParallelJobs.Engine;

/// <summary>
/// Whether an item's output holds a SecureString or PSCredential, which CliXml would write to the job log
/// in recoverable form (it is encrypted only on Windows, and only for the same user). Checked as deep as is
/// cheap: the output objects, their direct properties or dictionary values, and a collection's elements.
/// </summary>
internal static class SecretOutput
{
    private const int MaxElements = 1000;

    public static bool Holds(IList output)
    {
        foreach (object? item in output)
        {
            if (IsSecret(item) || HoldsDirectly(item))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSecret(object? value) =>
        (value is PSObject pso ? pso.BaseObject : value) is SecureString or PSCredential;

    private static bool HoldsDirectly(object? value)
    {
        object? baseObject = value is PSObject pso ? pso.BaseObject : value;
        switch (baseObject)
        {
            case null or string:
                return false;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (IsSecret(entry.Value))
                    {
                        return true;
                    }
                }

                return false;
            case IEnumerable many:
                int count = 0;
                foreach (object? element in many)
                {
                    if (IsSecret(element) || ++count >= MaxElements)
                    {
                        return IsSecret(element);
                    }
                }

                return false;
        }

        foreach (PSPropertyInfo property in PSObject.AsPSObject(value!).Properties)
        {
            object? propertyValue;
            try
            {
                propertyValue = property.Value;
            }
            catch (GetValueException)
            {
                continue;
            }
            catch (ExtendedTypeSystemException)
            {
                continue;
            }

            if (IsSecret(propertyValue))
            {
                return true;
            }
        }

        return false;
    }
}
