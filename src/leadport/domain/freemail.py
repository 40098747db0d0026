"""Free-mail domains: a company domain is never derived from these."""

from __future__ import annotations

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.fr yahoo.co.uk yahoo.de yahoo.es yahoo.it ymail.com
    rocketmail.com hotmail.com hotmail.fr hotmail.co.uk hotmail.de hotmail.es hotmail.it outlook.com
    outlook.fr outlook.de live.com live.fr live.co.uk msn.com icloud.com me.com mac.com aol.com
    aim.com gmx.com gmx.de gmx.net gmx.at gmx.ch gmx.fr web.de t-online.de freenet.de orange.fr
    wanadoo.fr free.fr sfr.fr laposte.net bbox.fr neuf.fr proton.me protonmail.com protonmail.ch
    pm.me tutanota.com tuta.io yandex.com yandex.ru mail.ru bk.ru inbox.ru list.ru rambler.ru
    zoho.com zohomail.com fastmail.com fastmail.fm hey.com libero.it virgilio.it tiscali.it alice.it
    seznam.cz wp.pl o2.pl onet.pl interia.pl qq.com 163.com 126.com sina.com naver.com daum.net
    hanmail.net rediffmail.com btinternet.com sky.com virginmedia.com ntlworld.com talktalk.net
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net shaw.ca
    rogers.com sympatico.ca bigpond.com optusnet.com.au telenet.be skynet.be ziggo.nl kpnmail.nl
    hetnet.nl planet.nl home.nl bluewin.ch sapo.pt terra.com.br uol.com.br bol.com.br
    """.split()
)
