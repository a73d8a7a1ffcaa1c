package mdmimport

import (
	"slices"
	"strings"

	"github.com/handwash/handwash"
)

// whyText says why each control matters to a care provider.
var whyText = map[string]string{
	ControlOSSupported: "Phones and tablets carry care notes, photos, messages and the apps that open care records. A system that no longer gets security updates stays open to weaknesses criminals already know how to use. " +
		"Cyber Essentials requires every device that reaches your organisation's data to run supported software (it names iOS 15 and Android 12 among the systems now out of support), and the NCSC advises keeping phones and tablets updated and replacing those their makers no longer support.",
	ControlPasscode: "A phone without a passcode gives whoever picks it up everything on it: the care app, email, photos and the contact details of the people you support and their families. " +
		"Switching on a PIN or password is the first of the NCSC's tips for smartphones and tablets, and Cyber Essentials requires a way to unlock every device that reaches your organisation's data: a PIN of at least 6 characters is enough only where it just unlocks the device and email and care apps ask for their own sign-in.",
	ControlWipe: "Phones are lost and stolen more than any other device. One that can be located, locked and wiped is an inconvenience; one that cannot may be a data breach to report to the ICO within 72 hours. " +
		"Making sure lost or stolen devices can be tracked, locked or wiped is the NCSC's second tip for smartphones and tablets. A device management service (MDM) also removes work data when staff leave, which matters when, as the Department of Health and Social Care's 2025 survey found, a third of care providers let staff use their own devices.",
	ControlAutoUpdates: "Updates close the weaknesses criminals already use, and phones get them every few weeks. Keeping phones and tablets up to date, with automatic updates switched on, and keeping apps up to date are two of the NCSC's tips for smartphones and tablets; Cyber Essentials asks for high and critical security fixes within 14 days, which only automatic updates make sure of.",
	ControlUnknownWiFi: "Anyone can set up a Wi-Fi hotspot called \"Free Hospital WiFi\" and read or change what passes through it, and a phone that once joined a public network joins it again by itself. The NCSC advises not connecting to unknown Wi-Fi hotspots and using mobile data (3G, 4G or 5G) or a VPN for anything sensitive, such as care records and email.",
	ControlSeenRecently: "A phone or tablet that has not checked in for a month is not getting your settings or updates, would not receive a lock or wipe command, and its record here is out of date: it may be lost, broken, in a drawer or still with someone who has left. " +
		"The 30 days is Handwash's own limit, in line with the MDMs' own: Intune marks a device non-compliant after 30 days without a check-in unless told otherwise, and Google counts a device that has not synced for 30 days as inactive.",
}

// The fix steps, by control, for each platform and each MDM.
var (
	apple = map[string]string{
		ControlOSSupported: "iPhone and iPad: open Settings > General > Software Update, install the update offered, and turn on Automatic Updates (both download and install). If no newer version is offered, the device is too old for it: replace it.",
		ControlPasscode:    "iPhone and iPad: open Settings > Face ID & Passcode (or Touch ID & Passcode) > Turn Passcode On. Under Passcode Options choose a 6-digit code or longer. Face ID or Touch ID can then be used alongside it.",
		ControlAutoUpdates: "iPhone and iPad: open Settings > General > Software Update > Automatic Updates and turn on Download and Install for both iOS (or iPadOS) Updates and Security Responses & System Files. For apps, open Settings > App Store and turn on App Updates.",
		ControlUnknownWiFi: "iPhone and iPad: open Settings > Wi-Fi and set Ask to Join Networks to Notify, and turn off Auto-Join Hotspot if it is on. For any public network listed under My Networks, tap the (i) beside it and choose Forget This Network. Away from home and work, use mobile data.",
		ControlWipe:        "iPhone and iPad: open Settings > [the person's name] > Find My > Find My iPhone (or iPad) and turn it on, with Send Last Location. For a work device, sign in with an Apple Account the organisation controls, so you can lock and erase it at https://www.icloud.com/find even after the member of staff leaves.",
	}
	android = map[string]string{
		ControlOSSupported: "Android: open Settings > System > Software update (on Samsung: Settings > Software update > Download and install) and install any update. Makers update each model for a set number of years, which their websites list; if no update is offered and the version is out of support, replace the phone.",
		ControlPasscode:    "Android: open Settings > Security (or Security & privacy > Device lock; on Samsung, Settings > Lock screen) > Screen lock, and choose PIN or Password, at least 6 digits. A pattern or swipe is not enough.",
		ControlAutoUpdates: "Android: for apps, open the Play Store, tap your profile picture > Settings > Network preferences > Auto-update apps and choose Over any network or Over Wi-Fi only. For the system, open Settings > System > Software update (on Samsung: Settings > Software update) and turn on automatic download over Wi-Fi where the phone offers it; install what is waiting.",
		ControlUnknownWiFi: "Android: open Settings > Network & internet > Internet > Network preferences and turn off Connect to public networks. Tap any saved public network and choose Forget. Away from home and work, use mobile data.",
		ControlWipe:        "Android: open Settings > Google > Find My Device (on some phones Settings > Security > Find My Device), turn it on, and keep Location on. A lost phone can then be rung, locked and erased at https://www.google.com/android/find.",
	}
	mdm = map[string]map[string]string{
		handwash.MobileIntune: {
			ControlOSSupported:  "Microsoft Intune (https://intune.microsoft.com): in Devices > Compliance > Create policy, for iOS/iPadOS and for Android Enterprise, set Device Properties > Minimum OS version, so older devices are marked non-compliant (Conditional Access can then keep them out of email). For iPhones and iPads, an update policy (Devices > iOS/iPadOS > Update policies for iOS/iPadOS) can install updates for you.",
			ControlPasscode:     "Microsoft Intune (https://intune.microsoft.com): in Devices > Compliance > Create policy, for iOS/iPadOS and for Android Enterprise, set System Security > Require a password to unlock mobile devices to Require and Minimum password length to 6, and assign the policies to all users. Intune's device export does not say whether a passcode is set, so Handwash shows it as not known even when the policy is in place: record the devices you have checked by hand.",
			ControlWipe:         "Microsoft Intune: staff install the Intune Company Portal app and sign in with their work account (company iPhones and iPads can be enrolled automatically through Apple Business Manager). For a lost device, go to Devices > All devices > the device and choose Remote lock, then Wipe for a company device or Retire for a personal one (which removes work data only).",
			ControlSeenRecently: "Microsoft Intune: in Devices > All devices > the device, choose Sync; on the device, open the Company Portal app and check its status. Remove devices no longer in use with Retire or Delete, so the list stays true.",
		},
		handwash.MobileGoogle: {
			ControlOSSupported:  "Google Admin console (https://admin.google.com): Menu > Devices > Mobile & endpoints > Devices lists each device's OS version; block devices left behind on old versions from your data, for instance with Context-Aware Access where your edition has it.",
			ControlPasscode:     "Google Admin console (https://admin.google.com): go to Menu > Devices > Mobile & endpoints > Settings > Universal > General > Password requirements, tick Require users to set a password and, with advanced management, choose Standard strength with at least 6 characters. Select Save.",
			ControlWipe:         "Google Admin console: go to Menu > Devices > Mobile & endpoints > Settings > Universal > General > Mobile management and choose Advanced, so devices can be wiped, not just signed out. For a lost device, go to Menu > Devices > Mobile & endpoints > Devices, select it and choose Wipe device (or Wipe account for a personal phone).",
			ControlSeenRecently: "Google Admin console: Menu > Devices > Mobile & endpoints > Devices shows each device's last sync. On the device, open the Android Device Policy app (or sign in to the Google app) to sync; remove devices no longer in use.",
		},
		handwash.MobileJamf: {
			ControlOSSupported:  "Jamf Pro: send an OS update to supervised devices (the device's Management tab, or a mass action on a search, > Update OS Version), and scope a compliance smart group on the iOS Version so you see who is left behind.",
			ControlPasscode:     "Jamf Pro: go to Devices > Mobile Devices > Configuration Profiles > New, add a Passcode payload requiring a passcode with a minimum length of 6, and scope it to all mobile devices.",
			ControlWipe:         "Jamf Pro: enrol devices through Apple Business Manager (Automated Device Enrollment) so the management profile cannot be removed. For a lost device, open it and, on the Management tab, choose Enable Lost Mode, then Wipe Device if it is not found.",
			ControlSeenRecently: "Jamf Pro: on the device's Management tab choose Update Inventory; remove devices no longer in use from Jamf Pro.",
		},
	}
	seenCommon  = "Find each device named above. If it is in use, switch it on and connect it to Wi-Fi or mobile data so it checks in. If it is lost or stolen, lock and wipe it now and follow your incident process: if personal data may be exposed, a report to the ICO may be due within 72 hours. If it is no longer used, remove it from the list. For a device added by hand, update the date it was last checked once you have looked at it."
	passcodeCE  = "Cyber Essentials accepts a 6-character PIN only where it just unlocks the device and email and care apps ask for their own sign-in; otherwise the passcode must meet its password rules (at least 12 characters, or 8 with a block on common passwords, unless MFA is used). The device should lock or wipe after no more than 10 wrong tries: the makers' own limits are accepted."
	byHandFixes = map[string]string{
		ControlWipe: "For a phone without an MDM, Find My (Apple) or Find My Device (Google) lets you locate, lock and erase it; an MDM does that for every device at once, and is the way to go for more than a handful.",
	}
)

// fixText says how to fix control on the platforms and MDMs the devices
// use (all of them when there are no devices).
func fixText(control string, devs []*handwash.MobileDevice) string {
	hasOS := func(oses ...string) bool {
		return len(devs) == 0 || slices.ContainsFunc(devs, func(d *handwash.MobileDevice) bool { return slices.Contains(oses, d.OS) })
	}
	hasSource := func(src string) bool {
		return len(devs) == 0 || slices.ContainsFunc(devs, func(d *handwash.MobileDevice) bool { return d.Source == src })
	}
	byHand := len(devs) == 0 || slices.ContainsFunc(devs, func(d *handwash.MobileDevice) bool { return sourceName(d.Source) == "" })
	var parts []string
	add := func(ok bool, s string) {
		if ok && s != "" {
			parts = append(parts, s)
		}
	}
	if control == ControlSeenRecently {
		parts = append(parts, seenCommon)
	}
	add(hasOS("ios", "ipados"), apple[control])
	add(hasOS("android"), android[control])
	for _, src := range []string{handwash.MobileIntune, handwash.MobileGoogle, handwash.MobileJamf} {
		add(hasSource(src), mdm[src][control])
	}
	add(byHand, byHandFixes[control])
	if control == ControlPasscode {
		parts = append(parts, passcodeCE)
	}
	return strings.Join(parts, "\n\n")
}
